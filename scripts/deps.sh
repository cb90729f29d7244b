#!/usr/bin/env bash
# Installs what building and testing Gugugo Desktop needs and is quick when it is all there:
#   - Debian packages (only when root or with sudo; otherwise it names them),
#   - llama.cpp v0.5.0 pinned as node-llama-cpp 3.22.1 carries it: headers from the source bundle and the
#     prebuilt CPU libraries, fetched with `npm pack`, checked against pinned SHA-256 sums, unpacked into deps/;
#   - for the Windows build (`deps.sh windows`, and `deps.sh test`, which tests it under Wine): the Windows
#     libraries of node-llama-cpp 3.21.1 (llama.cpp v0.4.0, the newest release npm has for Windows; see
#     docs/windows.md) into deps/windows/: the CPU ones in lib/, the Vulkan and CUDA plugins in gpu/.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/deps"
llama="$deps/llama"
stamp="$llama/.complete-v0.5.0-3.22.1"

# Packages per need; `deps.sh build` installs the first set, `deps.sh test` both.
# Fyne's GLFW driver builds against the X11 and OpenGL headers; the window tests run under Xvfb, driven by xdotool,
# with xclip for the clipboard and ImageMagick's import/compare for screenshots; Korean is typed through IBus with
# ibus-hangul (its XIM server, under a D-Bus session from dbus-x11, seen registered with x11-utils' xprop), which
# needs a UTF-8 locale Xlib knows; cmake and g++ build llama.cpp's llama-server for the remote engine's tests, and
# curl sends other programs' requests to gugugo serve. patch applies scripts/ggml-cuda.patch where make build compiles the CUDA plugin.
# Tesseract with its Korean and English data is what OCR (app/ocr) loads at run time; its tests need it.
build_pkgs=(gcc libc6-dev pkg-config libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev
	libxxf86vm-dev patch tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng)
test_pkgs=(xvfb xdotool xclip imagemagick ibus ibus-hangul dbus-x11 x11-utils locales cmake g++ curl iproute2)

# Packaging needs nfpm (v2.44.2; newer ones do not install here) and desktop-file-validate.
package_pkgs=(desktop-file-utils xz-utils)
# The Windows build: mingw-w64's C compiler for cgo, NSIS for the installer, zip for the portable archive; its
# tests run it under Wine (wine64 8.0; wine provides the `wine` command).
windows_pkgs=(gcc-mingw-w64-x86-64 nsis zip unzip)
windows_test_pkgs=(wine wine64)

want=("${build_pkgs[@]}")
case "${1:-build}" in
test) want+=("${test_pkgs[@]}" "${package_pkgs[@]}" "${windows_pkgs[@]}" "${windows_test_pkgs[@]}") ;;
package) want+=("${package_pkgs[@]}") ;;
windows) want+=("${windows_pkgs[@]}") ;;
esac

# as_root sets sudo to what runs a command as root (nothing as root, sudo where it needs no password), or stops with
# the message.
as_root() {
	if [ "$(id -u)" = 0 ]; then sudo=(); elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo=(sudo); else
		echo "deps: $1" >&2
		exit 1
	fi
}

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	as_root "missing Debian packages: ${missing[*]} (install them as root: apt-get install ${missing[*]})"
	echo "deps: installing ${missing[*]}" >&2
	"${sudo[@]}" apt-get update -qq
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The IME test runs in en_US.UTF-8: XIM does not start in the C.UTF-8 locale.
if [ "${1:-build}" = test ] && ! locale -a 2>/dev/null | grep -qix 'en_US.utf-\?8'; then
	as_root "the en_US.UTF-8 locale is missing (as root: enable it in /etc/locale.gen and run locale-gen)"
	echo "deps: generating the en_US.UTF-8 locale" >&2
	"${sudo[@]}" sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
	grep -q '^en_US.UTF-8 UTF-8' /etc/locale.gen || echo 'en_US.UTF-8 UTF-8' | "${sudo[@]}" tee -a /etc/locale.gen >/dev/null
	"${sudo[@]}" locale-gen >/dev/null
fi

if [ "${1:-build}" != build ] && [ ! -x "$deps/bin/nfpm" ]; then
	echo "deps: installing nfpm v2.44.2 into deps/bin" >&2
	GOBIN="$deps/bin" go install github.com/goreleaser/nfpm/v2/cmd/nfpm@v2.44.2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fetch() { # name@version sha256
	local file
	command -v npm >/dev/null || { echo "deps: npm is needed to fetch llama.cpp (apt-get install npm)" >&2; exit 1; }
	file=$(cd "$tmp" && npm pack --silent "$1" | tail -n 1)
	echo "$2  $tmp/$file" | sha256sum -c --quiet - || { echo "deps: checksum mismatch for $1" >&2; exit 1; }
	echo "$tmp/$file"
}

# The Windows libraries: only the files gugugo loads (llama, ggml, ggml-base, the CPU variants; one plugin from each
# GPU package, whose own copies of the rest are the same release).
win=$deps/windows
win_stamp=$win/.complete-v0.4.0-3.21.1
if [ "${1:-build}" = windows ] || [ "${1:-build}" = test ] && [ ! -f "$win_stamp" ]; then
	echo "deps: fetching llama.cpp v0.4.0 for Windows (@node-llama-cpp/win-x64*@3.21.1) with npm pack" >&2
	rm -rf "$win" && mkdir -p "$win/lib" "$win/gpu"
	cpu=$(fetch @node-llama-cpp/win-x64@3.21.1 9e48b1bf39e41c8b955a20006a3bdfd4861bedbb2661c87f7e29a5207f1ff0e8)
	tar -xzf "$cpu" -C "$tmp" package/bins/win-x64
	for f in llama.v0.4.0.dll ggml.v0.4.0.dll ggml-base.dll; do cp "$tmp/package/bins/win-x64/$f" "$win/lib/"; done
	cp "$tmp"/package/bins/win-x64/ggml-cpu-*.dll "$win/lib/"
	vk=$(fetch @node-llama-cpp/win-x64-vulkan@3.21.1 105e8207d2114f5f248b217fee7f9b702d0e7509cf0d3c7565dfb9e707f9303e)
	tar -xzf "$vk" -C "$tmp" package/bins/win-x64-vulkan/ggml-vulkan.dll
	cp "$tmp/package/bins/win-x64-vulkan/ggml-vulkan.dll" "$win/gpu/vulkan-ggml-vulkan.dll"
	cu=$(fetch @node-llama-cpp/win-x64-cuda@3.21.1 7824fb3d391d32194f3ee537d70ab3e334030cca71a85b855c368f36b251dc83)
	tar -xzf "$cu" -C "$tmp" package/bins/win-x64-cuda/ggml-cuda.dll
	cp "$tmp/package/bins/win-x64-cuda/ggml-cuda.dll" "$win/gpu/cuda-ggml-cuda.dll"
	rm -f "$tmp"/*.tgz
	touch "$win_stamp"
	echo "deps: llama.cpp v0.4.0 for Windows ready in deps/windows" >&2
fi

[ -f "$stamp" ] && exit 0
echo "deps: fetching llama.cpp v0.5.0 (node-llama-cpp@3.22.1) with npm pack" >&2
src_tgz=$(fetch node-llama-cpp@3.22.1 a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f)
lib_tgz=$(fetch @node-llama-cpp/linux-x64@3.22.1 0d953e1503d5ab4608d8ed5b739132308c81ac05ffeb760d2a7f30e08a9f90e0)

rm -rf "$llama"
mkdir -p "$llama/include" "$llama/lib"
tar -xzf "$src_tgz" -C "$tmp" package/llama/gitRelease.bundle
git clone -q "$tmp/package/llama/gitRelease.bundle" "$llama/src" 2>/dev/null
rm -rf "$llama/src/.git"
cp "$llama/src/include/llama.h" "$llama/src"/ggml/include/*.h "$llama/include/"
cp "$llama/src/LICENSE" "$llama/LICENSE"

tar -xzf "$lib_tgz" -C "$tmp" package/bins/linux-x64
find "$tmp/package/bins/linux-x64" -name 'lib*.so' ! -name 'libllama-common.so' -exec cp {} "$llama/lib/" \;
touch "$stamp"
echo "deps: llama.cpp v0.5.0 ready in deps/llama" >&2
