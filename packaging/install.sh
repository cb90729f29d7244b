#!/bin/sh
# Installs Gugugo from this unpacked tarball into your home folder (~/.local), or uninstalls it with --uninstall.
# The binary finds its llama.cpp libraries in ../lib/gugugo beside itself, so nothing else needs setting up.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${PREFIX:-$HOME/.local}
units=${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user
files="bin/gugugo lib/gugugo share/applications/io.github.gugugo_desktop.gugugo.desktop share/gugugo share/doc/gugugo"
icons=$(cd "$here/share" && find icons -name 'io.github.gugugo_desktop.gugugo.png')
if [ "${1:-}" = --uninstall ]; then
	for f in $files; do rm -rf "${prefix:?}/$f"; done
	for i in $icons; do rm -f "$prefix/share/$i"; done
	rm -f "$units/gugugo-serve.service"
	echo "Gugugo removed from $prefix"
	exit 0
fi
mkdir -p "$prefix/bin" "$prefix/lib" "$prefix/share/applications" "$prefix/share/doc"
cp "$here/bin/gugugo" "$prefix/bin/gugugo"
rm -rf "$prefix/lib/gugugo" "$prefix/share/gugugo" "$prefix/share/doc/gugugo"
cp -R "$here/lib/gugugo" "$prefix/lib/gugugo"
cp -R "$here/share/gugugo" "$prefix/share/gugugo"
cp -R "$here/share/doc/gugugo" "$prefix/share/doc/gugugo"
for i in $icons; do mkdir -p "$(dirname "$prefix/share/$i")" && cp "$here/share/$i" "$prefix/share/$i"; done
# The menu entry runs the installed binary by its full path: ~/.local/bin is not always on PATH.
sed "s|^Exec=gugugo|Exec=$prefix/bin/gugugo|" "$here/share/applications/io.github.gugugo_desktop.gugugo.desktop" \
	>"$prefix/share/applications/io.github.gugugo_desktop.gugugo.desktop"
# The systemd user unit for gugugo serve (systemctl --user enable --now gugugo-serve), running this binary.
mkdir -p "$units"
sed "s|^ExecStart=/usr/bin/gugugo|ExecStart=$prefix/bin/gugugo|" "$here/lib/systemd/user/gugugo-serve.service" >"$units/gugugo-serve.service"
echo "Gugugo installed in $prefix (run $prefix/bin/gugugo, or find it in the application menu)"
