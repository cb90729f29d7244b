#!/bin/sh
# Installs the Gugugo server build (no window: it needs no X11 or OpenGL libraries) from this unpacked tarball into
# your home folder (~/.local) with a systemd user unit for `gugugo serve`, or uninstalls it with --uninstall.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
files="bin/gugugo lib/gugugo share/gugugo share/doc/gugugo"
if [ "${1:-}" = --uninstall ]; then
	for f in $files; do rm -rf "${prefix:?}/$f"; done
	rm -f "$units/gugugo-serve.service"
	echo "Gugugo removed from $prefix"
	exit 0
fi
mkdir -p "$prefix/bin" "$prefix/lib" "$prefix/share/doc" "$units"
cp "$here/bin/gugugo" "$prefix/bin/gugugo"
rm -rf "$prefix/lib/gugugo" "$prefix/share/gugugo" "$prefix/share/doc/gugugo"
cp -R "$here/lib/gugugo" "$prefix/lib/gugugo"
cp -R "$here/share/gugugo" "$prefix/share/gugugo"
cp -R "$here/share/doc/gugugo" "$prefix/share/doc/gugugo"
sed "s|^ExecStart=/usr/bin/gugugo|ExecStart=$prefix/bin/gugugo|" "$here/share/gugugo/gugugo-serve.service" >"$units/gugugo-serve.service"
echo "Gugugo's server installed in $prefix. Get a model: $prefix/bin/gugugo model pull gugugo-7b"
echo "Then serve it now and at every login: systemctl --user enable --now gugugo-serve"
