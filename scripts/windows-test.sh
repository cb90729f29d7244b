#!/usr/bin/env bash
# The Windows build under Wine (wine64 8.0) and Xvfb, in a fresh WINEPREFIX: the Windows packages' unit tests, the
# installer installing silently into a folder with a Korean name and spaces, the CLI translating and benchmarking a
# tiny model on llama.cpp's Windows libraries, the window (a screenshot in test-artifacts/), the history written,
# the instance pipe, and the uninstaller. What Wine cannot show (GPU plugins, the hotkey under Windows' own shell)
# is listed in the README as not verified.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
version=$(sed -n 's/^ *Version *= *"\(.*\)"/\1/p' "$root/FyneApp.toml")
setup=$root/build/gugugo-$version-windows-x64-setup.exe
art=$root/test-artifacts
mkdir -p "$art"
tmp=$(mktemp -d)
. "$root/scripts/testlib.sh"

# The unit tests of the packages with Windows code, cross-compiled before HOME moves, so the Go caches serve them.
# (app/history's and inference/llama's are not among them: under Wine 8.0 Go 1.26's os.Remove fails ("Invalid
# function": Wine lacks FileDispositionInformationEx) on every test's temporary folder. The CLI's check below runs
# the engine on the Windows libraries, and the window's writes a real history file.)
winenv=(env CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC=x86_64-w64-mingw32-gcc)
for p in app/win32 app/instance; do
	(cd "$root" && "${winenv[@]}" go test -c -o "$tmp/$(basename $p).test.exe" ./$p) || bad "cross-compiling the tests of $p"
done
# Go 1.22 and later need bcryptprimitives.dll's ProcessPrng, which Windows 10 has and Wine 8.0 lacks: a stand-in,
# for this prefix only (scripts/testdata/processprng.c).
x86_64-w64-mingw32-gcc -shared -O2 -o "$tmp/bcryptprimitives.dll" "$root/scripts/testdata/processprng.c" -ladvapi32 ||
	bad "building the ProcessPrng stand-in"

display=:$((200 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display HOME=$tmp/home WINEPREFIX=$tmp/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$HOME"
app=
trap 'kill $app 2>/dev/null; wineserver -k 2>/dev/null; kill $xvfb 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

wineboot -i >/dev/null 2>&1 || bad "wineboot"
cp "$tmp/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
user=$(ls "$WINEPREFIX/drive_c/users" | grep -v -x Public | head -n 1)
uhome=$WINEPREFIX/drive_c/users/$user
win() { winepath -w "$1" 2>/dev/null; }

for t in win32 instance; do
	if out=$(cd "$tmp" && timeout 300 wine "$t.test.exe" 2>&1) && grep -q '^PASS' <<<"$out"; then ok; else bad "$t tests under Wine: $out"; fi
done

# The installer, silent, into a folder whose name has Hangul and a space (as a Korean user name gives).
dest_unix="$uhome/내 프로그램/Gugugo"
dest=$(win "$dest_unix")
# NSIS reads /D= only unquoted, as the last argument: through cmd, which passes the line as it is.
if (cd "$(dirname "$setup")" && timeout 120 wine cmd /c "$(basename "$setup") /S /D=$dest") && [ -f "$dest_unix/gugugo.exe" ] && [ -f "$dest_unix/lib/llama.v0.4.0.dll" ] &&
	[ -f "$dest_unix/lib/gpu/vulkan-ggml-vulkan.dll" ] && [ -f "$dest_unix/uninstall.exe" ]; then ok; else
	bad "the installer did not install into $dest_unix: $(ls -R "$dest_unix" 2>&1 | head)"
fi
lnk=$(find "$uhome" "$WINEPREFIX/drive_c/ProgramData" -name 'Gugugo.lnk' 2>/dev/null | head -n 1)
[ -n "$lnk" ] && ok || bad "no Start-menu entry"
wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Gugugo' /v DisplayVersion 2>/dev/null |
	grep -q "$version" && ok || bad "no uninstall entry with version $version"
cli=$dest_unix/gugugo-cli.exe

# The CLI: a tiny model in a folder with Hangul, translated on the CPU by the Windows libraries. Its text must equal
# the Linux build's (llama.cpp v0.5.0) for the same model and input, byte for byte.
mdir="$uhome/모델 폴더"
mkdir -p "$mdir"
"$root/build/gugugo" dev tiny-model --arch gptneox --out "$mdir/tiny.gguf" >/dev/null
model=$(win "$mdir/tiny.gguf")
[ "$(wine "$cli" --version 2>/dev/null | tr -d '\r')" = "gugugo $version" ] && ok || bad "gugugo-cli --version"
want=$("$root/build/gugugo" translate --model "$mdir/tiny.gguf" "안녕하세요. 반갑습니다." 2>/dev/null)
got=$(GUGUGO_GPU=off timeout 120 wine "$cli" translate --model "$model" "안녕하세요. 반갑습니다." 2>"$tmp/translate.err")
if [ -n "$got" ] && [ "$got" = "$want" ]; then ok; else
	bad "translation on Windows differs from Linux: got $(printf %q "$got"), want $(printf %q "$want"): $(cat "$tmp/translate.err")"
fi
# A subtitle file (CRLF, in the Hangul folder) through the shared lanes, with a glossary: the file written on Windows
# equals the Linux build's byte for byte (the echo model's wide margins make the batch's arithmetic irrelevant), and
# the glossary's warning names the missing term. Reading images needs Tesseract, which Windows lacks: said in a line.
"$root/build/gugugo" dev tiny-model --echo "la li lu apple student weather" --out "$mdir/echo.gguf" >/dev/null
printf '1\r\n00:00:01,000 --> 00:00:02,000\r\nla la li apple\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nstudent li student weather.\r\n' >"$mdir/talk.srt"
printf 'apple\t사과\n' >"$mdir/terms.tsv"
GUGUGO_GPU=off timeout 120 wine "$cli" translate --model "$(win "$mdir/echo.gguf")" --to ko --glossary "$(win "$mdir/terms.tsv")" \
	--file "$(win "$mdir/talk.srt")" --out "$(win "$mdir/talk.ko.srt")" 2>"$tmp/file.err"
"$root/build/gugugo" translate --model "$mdir/echo.gguf" --to ko --glossary "$mdir/terms.tsv" --file "$mdir/talk.srt" \
	--out "$tmp/talk.linux.srt" 2>/dev/null
if [ -s "$mdir/talk.ko.srt" ] && cmp -s "$mdir/talk.ko.srt" "$tmp/talk.linux.srt" && grep -q '"apple" → "사과"' "$tmp/file.err"; then ok; else
	bad "a file on Windows: $(cat "$tmp/file.err"; od -c "$mdir/talk.ko.srt" | head -5; od -c "$tmp/talk.linux.srt" | head -5)"
fi
convert -size 200x60 xc:white "$mdir/shot.png"
wine "$cli" translate --model "$model" --image "$(win "$mdir/shot.png")" >/dev/null 2>"$tmp/image.err" && bad "an image was read on Windows" ||
	{ grep -q 'not available on Windows' "$tmp/image.err" && ok || bad "an image on Windows: $(cat "$tmp/image.err")"; }
# Without a GPU the Vulkan plugin fails its test run in the child process and the CPU is used, with a note.
out=$(timeout 180 wine "$cli" devices 2>&1)
if grep -q 'CPU' <<<"$out" && grep -q 'vulkan-ggml-vulkan.dll failed its test run' <<<"$out"; then ok; else
	bad "devices: the Vulkan plugin's probe and the CPU fall-back: $out"
fi
if out=$(GUGUGO_GPU=off timeout 300 wine "$cli" bench --model "$model" --reps 1 2>&1) && grep -q 'decode tok/s' <<<"$out"; then
	ok
else bad "bench: $out"; fi
wine "$cli" translate --model "$(win "$tmp")\\missing.gguf" x >/dev/null 2>"$tmp/missing.err" && bad "a missing model translated" ||
	{ grep -qi 'missing.gguf' "$tmp/missing.err" && ok || bad "a missing model's message: $(cat "$tmp/missing.err")"; }

# The window: the installed gugugo.exe with the tiny model, its state in a file, driven through the clipboard and
# the instance pipe.
state=$tmp/state.json
GUGUGO_UI_STATE=$(win "$state") GUGUGO_GPU=off wine "$dest_unix/gugugo.exe" --model "$model" >"$tmp/app.log" 2>&1 &
app=$!
wait_state '"model":"gugugo-test-gptneox"' 30 && ok || bad "the window did not load the model: $(cat "$state" "$tmp/app.log" 2>/dev/null)"
import -window root "$art/windows-window-empty.png" 2>/dev/null
text="번역할 문장입니다 Windows"
printf '%s' "$text" | xclip -selection clipboard
sleep 1
if timeout 30 wine "$cli" translate-clipboard && wait_state "\"source\":\"$text\".*\"status\":\"Done in" 30; then ok; else
	bad "translate-clipboard through the pipe: $(cat "$state" "$tmp/app.log" 2>/dev/null)"
fi
sleep 1
import -window root "$art/windows-window.png" 2>/dev/null
diff=$(compare -metric AE "$art/windows-window-empty.png" "$art/windows-window.png" null: 2>&1 | cut -d' ' -f1)
[ "${diff:-0}" -gt 1000 ] 2>/dev/null && ok || bad "the translation did not change the window (${diff:-?} pixels)"
# A second start and `gugugo show` reach the running window and end, and no second window process is left (each
# would start one when the pipe did not answer).
windows() { pgrep -fc 'Gugugo/gugugo(-cli)?\.exe' || true; }
timeout 30 wine "$cli" show && ok || bad "gugugo show did not reach the window"
if timeout 30 wine "$dest_unix/gugugo.exe" && kill -0 "$app" 2>/dev/null; then ok; else bad "a second start did not hand over to the first"; fi
sleep 2
[ "$(windows)" = 1 ] && ok || bad "$(windows) window processes after show and a second start, want 1: $(pgrep -fa 'gugugo')"
# The translation is in the history database (or its write-ahead log).
hdir="$uhome/AppData/Roaming/fyne/io.github.gugugo_desktop.gugugo"
grep -qa "$text" "$hdir"/history.db* 2>/dev/null && ok || bad "the translation is not in $hdir/history.db: $(ls -l "$hdir" 2>&1)"
kill "$app" 2>/dev/null
wineserver -k 2>/dev/null
app=

# The uninstaller, silent: the program goes, the user's models stay.
mkdir -p "$uhome/AppData/Local/Gugugo/models" && echo keep >"$uhome/AppData/Local/Gugugo/models/mine.gguf"
timeout 120 wine "$dest_unix/uninstall.exe" /S
for _ in $(seq 50); do [ -e "$dest_unix" ] || break; sleep 0.2; done # it runs from a copy of itself
if [ ! -e "$dest_unix" ] && [ -f "$uhome/AppData/Local/Gugugo/models/mine.gguf" ] && [ -z "$(find "$uhome" -name Gugugo.lnk)" ] &&
	! wine reg query 'HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Gugugo' >/dev/null 2>&1; then ok; else
	bad "uninstall: $(ls -R "$dest_unix" 2>&1 | head -5)"
fi

echo "windows: $pass passed, $fail failed"
[ "$fail" = 0 ]
