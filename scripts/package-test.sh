#!/usr/bin/env bash
# Installs the .deb (as root) and the tarball (into a temporary home), runs the installed gugugo from there with a
# tiny generated model, validates the desktop entry, and removes both again, checking nothing is left behind.
# The server tarball (the build without a window) is unpacked, checked for needing no X11 or OpenGL library, installed
# with its systemd user unit, served from and removed.
#   scripts/package-test.sh DEB TARBALL SERVER_TARBALL
set -u
deb=$(realpath "$1")
tarball=$(realpath "$2")
server_tarball=$(realpath "$3")
tmp=$(mktemp -d)
pass=0
fail=0
check() {
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1)); else
		fail=$((fail + 1))
		echo "FAIL: $name" >&2
		sed 's/^/  | /' "$tmp/out" | head -20 >&2
	fi
}
cd "$tmp" || exit 1

files() {
	local list
	list=$(dpkg-deb -c "$deb" | awk '{print $6}')
	for f in ./usr/bin/gugugo ./usr/lib/gugugo/libllama.v0.5.0.so ./usr/lib/gugugo/libggml.v0.5.0.so \
		./usr/lib/gugugo/libggml-base.so ./usr/lib/gugugo/libggml-cpu-x64.so \
		./usr/share/applications/io.github.gugugo_desktop.gugugo.desktop \
		./usr/share/icons/hicolor/256x256/apps/io.github.gugugo_desktop.gugugo.png \
		./usr/share/doc/gugugo/OFL-NanumGothic.txt ./usr/share/doc/gugugo/LICENSE.llama.cpp ./usr/share/gugugo/gpu.sh \
		./usr/lib/systemd/user/gugugo-serve.service; do
		grep -qx "$f" <<<"$list" || { echo "missing $f"; return 1; }
	done
}
check "the package holds its files" files

control() {
	local deps
	deps=$(dpkg-deb -f "$deb" Depends)
	for d in libgl1 libx11-6 libxcursor1 libxrandr2 libxinerama1 libxi6 libxxf86vm1; do
		grep -qw "$d" <<<"$deps" || { echo "Depends lacks $d: $deps"; return 1; }
	done
	for d in libtesseract5 tesseract-ocr-kor tesseract-ocr-eng; do
		grep -qw "$d" <<<"$(dpkg-deb -f "$deb" Recommends)" || { echo "Recommends lacks $d"; return 1; }
	done
	[ "$(dpkg-deb -f "$deb" Package)" = gugugo ] && [ -n "$(dpkg-deb -f "$deb" Version)" ]
}
check "control fields" control

# runs BIN: the version, then a translation with a tiny model it writes itself, without the source tree's libraries
runs() {
	"$1" --version | grep -q '^gugugo [0-9]' &&
		env -u GUGUGO_LIB_DIR "$1" dev tiny-model --arch gptneox --out "$tmp/m.gguf" >/dev/null &&
		env -u GUGUGO_LIB_DIR "$1" translate --model "$tmp/m.gguf" --to en "안녕하세요" >"$tmp/t" && [ -s "$tmp/t" ]
}

if [ "$(id -u)" = 0 ]; then
	check "the .deb installs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb"
	dpkg -L gugugo | sort >"$tmp/installed"
	check "the installed gugugo runs from /usr/bin" runs /usr/bin/gugugo
	check "the desktop entry is valid" desktop-file-validate /usr/share/applications/io.github.gugugo_desktop.gugugo.desktop
	check "the .deb removes" dpkg --purge gugugo
	left() {
		while read -r f; do
			[ -e "$f" ] && [ ! -d "$f" ] && { echo "left behind: $f"; return 1; }
		done <"$tmp/installed"
		[ ! -e /usr/lib/gugugo ] || { echo "left behind: /usr/lib/gugugo"; return 1; }
	}
	check "nothing is left behind" left
else
	echo "package: the .deb checks need root; skipped"
fi

home=$tmp/home
mkdir -p "$home" "$tmp/unpacked"
tar -xJf "$tarball" -C "$tmp/unpacked"
dir=$(echo "$tmp"/unpacked/gugugo-*)
check "the unpacked tarball runs in place" runs "$dir/bin/gugugo"
check "install.sh installs into the home folder" env HOME="$home" sh "$dir/install.sh"
check "the home install runs" runs "$home/.local/bin/gugugo"
menu() { grep -q "^Exec=$home/.local/bin/gugugo$" "$home/.local/share/applications/io.github.gugugo_desktop.gugugo.desktop"; }
check "the home install has a menu entry" menu
unit() { grep -q "^ExecStart=$home/.local/bin/gugugo serve$" "$home/.config/systemd/user/gugugo-serve.service"; }
check "the home install has the server's systemd user unit" unit
gone() { env HOME="$home" sh "$dir/install.sh" --uninstall && [ -z "$(find "$home/.local" "$home/.config" -type f)" ]; }
check "install.sh --uninstall leaves nothing" gone

mkdir -p "$tmp/server"
tar -xJf "$server_tarball" -C "$tmp/server"
sdir=$(echo "$tmp"/server/gugugo-server-*)
no_gui_libs() { # the libraries the binary needs: the C library only (llama.cpp's are opened at run time)
	readelf -d "$sdir/bin/gugugo" | grep NEEDED >"$tmp/needed" && ! grep -Eq 'libGL|libX11|libxcb' "$tmp/needed" &&
		grep -q 'libc.so' "$tmp/needed"
}
check "the server build needs no X11 or OpenGL library" no_gui_libs
check "the unpacked server tarball runs in place" runs "$sdir/bin/gugugo"
no_window() { ! DISPLAY=:9 "$sdir/bin/gugugo" 2>"$tmp/e" && grep -q "this build has no window" "$tmp/e"; }
check "the server build says it has no window" no_window
check "the server's install.sh installs into the home folder" env HOME="$home" sh "$sdir/install.sh"
serves() { # the installed server answers a DeepLX request, and stops on SIGTERM as systemd stops it
	local pid url=
	HOME=$home "$home/.local/bin/gugugo" serve --model "$tmp/m.gguf" --addr 127.0.0.1:0 >"$tmp/s.out" 2>"$tmp/s.err" &
	pid=$!
	for _ in $(seq 100); do
		url=$(sed -n 's/^gugugo: serving .* on \(http:[^ ]*\)$/\1/p' "$tmp/s.out")
		[ -n "$url" ] && break
		sleep 0.1
	done
	curl -sf -X POST "$url/translate" -H 'Content-Type: application/json' -d '{"text":"안녕하세요","target_lang":"EN"}' | grep -q '"code":200' &&
		kill -TERM "$pid" && wait "$pid"
}
check "the installed server serves" serves
server_unit() {
	grep -q "^ExecStart=$home/.local/bin/gugugo serve$" "$home/.config/systemd/user/gugugo-serve.service" &&
		{ ! command -v systemd-analyze >/dev/null || systemd-analyze verify "$home/.config/systemd/user/gugugo-serve.service"; }
}
check "the server's systemd user unit runs the installed binary" server_unit
server_gone() { env HOME="$home" sh "$sdir/install.sh" --uninstall && [ -z "$(find "$home/.local" "$home/.config" -type f)" ]; }
check "the server's install.sh --uninstall leaves nothing" server_gone

rm -rf "$tmp"
echo "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
