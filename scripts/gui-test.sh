#!/usr/bin/env bash
# End-to-end test of the real window: build/gugugo with a tiny generated model under Xvfb, driven with xdotool and
# the clipboard, checked through the window's own state (GUGUGO_UI_STATE) and screenshots kept in test-artifacts/.
# Where it may (root, unshare), it hides the system fonts, so Hangul can only come from the embedded NanumGothic.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/gugugo
art=$root/test-artifacts
mkdir -p "$art"
tmp=$(mktemp -d)
. "$root/scripts/testlib.sh"

if [ "${GUI_TEST_INNER:-}" = "" ] && [ "$(id -u)" = 0 ] && unshare --mount --propagation private true 2>/dev/null; then
	exec unshare --mount --propagation private env GUI_TEST_INNER=hidden bash -c \
		'for d in /usr/share/fonts /usr/local/share/fonts; do [ -d $d ] && mount -t tmpfs tmpfs $d; done; exec bash "$0"' "$0"
fi
if [ "${GUI_TEST_INNER:-}" = hidden ] && ! fc-list 2>/dev/null | grep -qi nanum; then
	echo "gui: system fonts hidden for this test"
	fonts_hidden=1
else
	echo "gui: system fonts visible (the Hangul check relies on the Go test of the embedded font)"
	fonts_hidden=0
fi

# Built before HOME moves to the test's own folder, so the usual Go caches serve it.
(cd "$root" && go build -o "$tmp/trayhost" ./scripts/testdata/trayhost) || bad "building the test tray host"

display=:$((90 + RANDOM % 100))
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=$display HOME=$tmp/home LANG=en_US.UTF-8 XDG_RUNTIME_DIR=$tmp/run
mkdir -p "$HOME" && mkdir -m 0700 "$XDG_RUNTIME_DIR"
trap 'kill $app $xvfb ${DBUS_SESSION_BUS_PID:-} 2>/dev/null; wait 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do xdotool getmouselocation >/dev/null 2>&1 && break; sleep 0.1; done

"$bin" dev tiny-model --arch gptneox --out "$tmp/m.gguf" >/dev/null
# A private D-Bus session: with no tray on it the window must quit when closed; the tray and IME parts use it.
eval "$(dbus-launch --sh-syntax)"
state=$tmp/state.json
prefs=$HOME/.config/fyne/io.github.gugugo_desktop.gugugo/preferences.json
mkdir -p "$(dirname "$prefs")"
# start_app PREFS_JSON: starts the window with these settings and a fresh state file.
start_app() {
	printf '%s' "$1" >"$prefs"
	rm -f "$state"
	GUGUGO_UI_STATE=$state "$bin" --model "$tmp/m.gguf" >"$tmp/app.log" 2>&1 &
	app=$!
}
stop_app() {
	kill "$app" 2>/dev/null
	wait "$app" 2>/dev/null
}
start_app '{"hotkey_primary":true,"double_copy":true}'

wait_state '"model":"gugugo-test-gptneox"' && ok || bad "the model did not load: $(cat "$state" "$tmp/app.log" 2>/dev/null)"
win=$(xdotool search --sync --name '^Gugugo$' | head -1)
xdotool windowactivate --sync "$win" 2>/dev/null
xdotool windowsize --sync "$win" 960 600

# paste TEXT into the source pane and translate with Ctrl+Enter
paste_and_translate() {
	xdotool mousemove --window "$win" 200 200 click 1
	xdotool key ctrl+a BackSpace
	printf '%s' "$1" | xclip -selection clipboard 2>/dev/null # xclip's child keeps the selection and would complain when Xvfb ends
	xdotool key ctrl+v
	sleep 0.2
	xdotool key ctrl+Return
}
text1="가나다라마바사 아자차카타파하"
paste_and_translate "$text1"
if wait_state "\"source\":\"$text1\",\"translated\":\"$text1\".*\"status\":\"Done in"; then ok; else bad "no finished translation: $(cat "$state")"; fi
grep -q '"target":""' "$state" && bad "the target pane is empty" || ok
sleep 0.5
import -window "$win" "$art/gui-e2e.png"
convert "$art/gui-e2e.png" -crop 440x40+8+48 "$tmp/a.png"

# The same number of different syllables: replacement boxes would look the same, real glyphs do not.
text2="아자차카타파하 가나다라마바사"
paste_and_translate "$text2"
wait_state "\"source\":\"$text2\".*\"status\":\"Done in" && ok || bad "no second translation: $(cat "$state")"
sleep 0.5
import -window "$win" "$tmp/b-full.png"
convert "$tmp/b-full.png" -crop 440x40+8+48 "$tmp/b.png"
diff=$(compare -metric AE "$tmp/a.png" "$tmp/b.png" null: 2>&1 | cut -d' ' -f1)
if [ "${diff%.*}" -gt 200 ]; then ok; else bad "Hangul texts render alike ($diff pixels differ): replacement boxes?"; fi
[ $fonts_hidden = 1 ] && cp "$art/gui-e2e.png" "$art/gui-hangul-no-system-fonts.png"

# 10 MB copied, then pasted and sent with the hotkey: both refused with a message, while the window answers the
# pings a window manager sends to tell a frozen window (gugugo dev ui-latency). Its longest answer is compared with
# the idle window's: answers wait for the event loop's next turn, once a frame.
longest_ms() { sed -n 's/.*longest answer \([0-9.]*\) ms.*/\1/p' "$1" | cut -d. -f1; }
"$bin" dev ui-latency "$win" >"$tmp/idle.lat" &
pinger=$!
sleep 2
kill -TERM $pinger && wait $pinger
python3 -c "import sys; sys.stdout.write('오늘 날씨가 좋아요. 내일은 비가 온대요.\n' * 190000)" | xclip -selection clipboard 2>/dev/null
"$bin" dev ui-latency "$win" >"$tmp/paste.lat" &
pinger=$!
sleep 0.5
xdotool mousemove --window "$win" 200 200 click 1
xdotool key ctrl+v
wait_state '"status":"Not pasted: the copied text is over 256 KB' && ok || bad "a 10 MB paste: $(cat "$state")"
xdotool key ctrl+alt+g
wait_state '"status":"the clipboard holds more than 256 KB' && ok || bad "the hotkey on 10 MB copied: $(cat "$state")"
sleep 0.5
kill -TERM $pinger && wait $pinger
echo "gui: the idle window: $(cat "$tmp/idle.lat"); during the 10 MB paste and hotkey: $(cat "$tmp/paste.lat")"
idle_ms=$(longest_ms "$tmp/idle.lat") busy_ms=$(longest_ms "$tmp/paste.lat")
[ -n "$busy_ms" ] && [ "$busy_ms" -le $((${idle_ms:-0} + 50)) ] && ok ||
	bad "the window froze for ${busy_ms:-?} ms during the 10 MB paste (idle: ${idle_ms:-?} ms)"

# The command a desktop shortcut runs: the clipboard is translated in the running window.
text3="The weather is nice today."
printf '%s' "$text3" | xclip -selection clipboard 2>/dev/null
if "$bin" translate-clipboard && wait_state "\"source\":\"$text3\",\"translated\":\"$text3\".*\"status\":\"Done in"; then ok; else bad "translate-clipboard: $(cat "$state")"; fi
# A second start hands over to the running window and exits.
if timeout 10 "$bin" 2>"$tmp/second.err" && grep -q "brought to the front" "$tmp/second.err"; then ok; else bad "a second start: $(cat "$tmp/second.err")"; fi

# The global hotkey (Ctrl+Alt+G) translates the selected text (PRIMARY) first; xclip -l 1 serves one read and
# leaves PRIMARY empty again.
text4="선택한 문장을 번역합니다"
printf '%s' "$text4" | xclip -selection primary -l 1 2>/dev/null
sleep 0.3 # xclip's child takes the selection a moment after xclip returns
xdotool key ctrl+alt+g
wait_state "\"source\":\"$text4\",\"translated\":\"$text4\".*\"status\":\"Done in" && ok || bad "hotkey with PRIMARY: $(cat "$state")"
sleep 0.3
# Nothing selected: the clipboard.
text5="Copied text for the hotkey"
printf '%s' "$text5" | xclip -selection clipboard 2>/dev/null
sleep 0.3
xdotool key ctrl+alt+g
wait_state "\"source\":\"$text5\",\"translated\":\"$text5\".*\"status\":\"Done in" && ok || bad "hotkey with CLIPBOARD: $(cat "$state")"
# Ctrl+C+C: the same text copied twice within half a second; a single copy does nothing.
text6="Copied twice in a row"
printf '%s' "$text6" | xclip -selection clipboard 2>/dev/null
sleep 0.1
printf '%s' "$text6" | xclip -selection clipboard 2>/dev/null
wait_state "\"source\":\"$text6\",\"translated\":\"$text6\".*\"status\":\"Done in" && ok || bad "Ctrl+C+C: $(cat "$state")"
printf '%s' "Copied once" | xclip -selection clipboard 2>/dev/null
sleep 1.5
grep -q '"source":"Copied once"' "$state" && bad "a single copy was translated" || ok
stop_app

# A combination another program holds is reported, and the app keeps working.
mkfifo "$tmp/hold"
"$bin" dev grab-hotkey Ctrl+Alt+G <>"$tmp/hold" >"$tmp/grab.out" 2>&1 & # a FIFO opened read-write never ends
grabber=$!
for _ in $(seq 50); do grep -q grabbed "$tmp/grab.out" && break; sleep 0.1; done
start_app '{}'
wait_state '"hotkey":"Ctrl+Alt+G is taken by another program' && ok || bad "taken hotkey not reported: $(cat "$state" "$tmp/app.log")"
printf '%s' "$text3" | xclip -selection clipboard 2>/dev/null
if "$bin" translate-clipboard && wait_state "\"source\":\"$text3\".*\"status\":\"Done in"; then ok; else bad "the app with a taken hotkey: $(cat "$state")"; fi
stop_app
kill "$grabber"
wait "$grabber" 2>/dev/null

# A screen region: a line of text shown by another program (ImageMagick's display) is read with Tesseract after the
# region hotkey and a drag over the frozen screen, and translated.
convert -size 700x90 xc:white -font "$root/assets/fonts/NanumGothic-Regular.ttf" -pointsize 36 -fill black \
	-draw "text 20,60 'Good morning, my friend'" "$tmp/region.png"
start_app '{}'
wait_state '"model":"gugugo-test-gptneox"' || bad "the model did not load for the region test"
display -geometry +100+680 -title regionshot "$tmp/region.png" &
viewer=$!
xdotool search --sync --name regionshot >/dev/null
sleep 0.5
xdotool key ctrl+alt+shift+g
if xdotool search --sync --name 'drag over the text' >/dev/null; then
	sleep 0.5
	xdotool mousemove 102 682 mousedown 1 mousemove 400 720 mousemove 798 768
	sleep 0.3
	import -window root "$art/gui-region-drag.png"
	xdotool mouseup 1
	wait_state '"source":"Good morning, my friend".*"status":"Done in' && ok || bad "region: $(cat "$state" "$tmp/app.log")"
else
	bad "the region hotkey opened no picker: $(cat "$state" "$tmp/app.log")"
fi
kill "$viewer" 2>/dev/null
wait "$viewer" 2>/dev/null
# A Korean line as an image on the clipboard (a screenshot tool's copy), pasted into the source pane.
convert -size 560x90 xc:white -font "$root/assets/fonts/NanumGothic-Regular.ttf" -pointsize 36 -fill black \
	-draw "text 20,60 '오늘 날씨가 좋아요'" "$tmp/paste.png"
win=$(xdotool search --name '^Gugugo$' | head -1)
xdotool windowactivate --sync "$win" 2>/dev/null
xdotool mousemove --window "$win" 200 200 click 1
xdotool key ctrl+a BackSpace
xclip -selection clipboard -t image/png -i "$tmp/paste.png" 2>/dev/null
sleep 0.3
xdotool key ctrl+v
wait_state '"source":"오늘 날씨가 좋아요".*"status":"Done in' && ok || bad "pasted image: $(cat "$state" "$tmp/app.log")"
stop_app

# The popup: the hotkey's translation shows in a small window at the pointer.
start_app '{"popup":true}'
wait_state '"hotkey":"Ctrl+Alt+G"' || bad "the hotkey is not held: $(cat "$state")"
text7="팝업 창에서 번역합니다"
printf '%s' "$text7" | xclip -selection clipboard 2>/dev/null
sleep 0.3
xdotool mousemove 300 250
xdotool key ctrl+alt+g
if wait_state "\"source\":\"$text7\",\"translated\":\"$text7\".*\"status\":\"Done in.*\"popup\":\"[^\"]"; then ok; else bad "popup: $(cat "$state")"; fi
popup=$(xdotool search --name '^Gugugo translation$' | head -1)
if [ -n "$popup" ]; then
	eval "$(xdotool getwindowgeometry --shell "$popup")"
	if [ "$X" -ge 300 ] && [ "$X" -le 340 ] && [ "$Y" -ge 250 ] && [ "$Y" -le 290 ]; then ok; else bad "the popup is at $X,$Y, not at the pointer (300,250)"; fi
	import -window "$popup" "$art/gui-popup.png"
else
	bad "no popup window"
fi
stop_app

# The tray, through a stand-in for the desktop's StatusNotifierWatcher (scripts/testdata/trayhost): the app registers its
# item with Show, Translate clipboard, Pause hotkey and Quit, and each menu item works.
mkfifo "$tmp/tray.in"
"$tmp/trayhost" <>"$tmp/tray.in" >"$tmp/tray.out" 2>&1 &
tray=$!
for _ in $(seq 50); do grep -q watching "$tmp/tray.out" && break; sleep 0.1; done
start_app '{}'
wait_state '"model":"gugugo-test-gptneox"' || bad "the model did not load for the tray test"
for _ in $(seq 100); do grep -q '^menu:' "$tmp/tray.out" && break; sleep 0.1; done
grep -qx 'menu: Show Gugugo|Translate clipboard|Translate a screen region|Pause hotkey||Quit' "$tmp/tray.out" && ok || bad "tray menu: $(cat "$tmp/tray.out")"
text8="번역할 문장은 트레이에서 왔습니다"
printf '%s' "$text8" | xclip -selection clipboard 2>/dev/null
sleep 0.3
echo "click Translate clipboard" >"$tmp/tray.in"
wait_state "\"source\":\"$text8\",\"translated\":\"$text8\".*\"status\":\"Done in" && ok || bad "tray Translate clipboard: $(cat "$state" "$tmp/tray.out")"
echo "click Pause hotkey" >"$tmp/tray.in"
wait_state '"hotkey":"paused"' && ok || bad "tray Pause hotkey: $(cat "$state")"
echo "click Quit" >"$tmp/tray.in"
for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
kill -0 "$app" 2>/dev/null && bad "tray Quit left the app running" || ok
stop_app
kill "$tray"
wait "$tray" 2>/dev/null

# A GPU plugin that ggml aborts in its test run (scripts/testdata/crashing-plugin.c): the window runs on the CPU and its status
# line says why.
mkdir -p "$tmp/lib/gpu" && cp "$root"/build/lib/*.so "$tmp/lib/" &&
	gcc -shared -fPIC -o "$tmp/lib/gpu/cuda-libggml-cuda.so" "$root/scripts/testdata/crashing-plugin.c" || bad "building the crashing plugin"
GUGUGO_LIB_DIR=$tmp/lib start_app '{}'
if wait_state '"status":"Ready. GPU plugin cuda-libggml-cuda.so failed its test run (exit status 2: CUDA error: the provided PTX'; then ok; else
	bad "the failed GPU plugin is not in the status line: $(cat "$state" "$tmp/app.log")"
fi
stop_app

# A GPU plugin that passes its test run and then ends the process mid-translation (scripts/testdata/fake-gpu-plugin.c,
# the CPU backend presented as "Gugugo Test GPU"): the window comes back on the CPU with the text, and stays there.
rm -f "$tmp/lib/gpu/"*
gcc -shared -fPIC -I"$root/deps/llama/src/ggml/include" -I"$root/deps/llama/src/ggml/src" -o "$tmp/lib/gpu/cuda-libggml-cuda.so" \
	"$root/scripts/testdata/fake-gpu-plugin.c" || bad "building the fake GPU plugin"
GUGUGO_LIB_DIR=$tmp/lib GUGUGO_TEST_GPU_CRASH_AFTER=40 start_app '{}'
wait_state '"device":"[^"]*Gugugo Test GPU' 60 && ok || bad "the model is not on the test GPU: $(cat "$state" "$tmp/app.log")"
win=$(xdotool search --sync --name '^Gugugo$' | head -1)
text9="오늘은 날씨가 맑고 따뜻해서 공원에 산책하러 가기로 했습니다. 친구들과 함께 점심을 먹고 이야기를 나눴어요."
paste_and_translate "$text9"
if wait_state "\"source\":\"$text9\",\"translated\":\"$text9\".*\"status\":\"Done in.*\"device\":\"on CPU" 60 && grep -q "the window ended while Gugugo Test GPU was translating" "$tmp/app.log" &&
	grep -q '"device":"cpu"' "$prefs"; then ok; else
	bad "after the GPU plugin crashed: $(cat "$state" "$prefs"; tail -5 "$tmp/app.log")"
fi
sleep 0.5
import -window root "$art/gui-gpu-crash.png"
stop_app

# Korean through the IME (IBus with ibus-hangul, over XIM), translate-as-you-type off: Ctrl+Return arrives while the
# last syllable (요) is still being composed, and the final translation must still be of the whole text.
mkdir -p "$HOME/.config/glib-2.0/settings"
printf "[org/freedesktop/ibus/engine/hangul]\ninitial-input-mode='hangul'\n" >"$HOME/.config/glib-2.0/settings/keyfile"
GSETTINGS_BACKEND=keyfile ibus-daemon --xim --daemonize --replace --panel=disable 2>"$tmp/ibus.log"
for _ in $(seq 50); do ibus engine hangul 2>/dev/null && break; sleep 0.1; done
# The app looks for an XIM server once, when it opens the display, and IBus registers its own (a separate process)
# some time after the daemon answers: started before that, the app gets no input method and the keys arrive as
# Latin letters. Wait for the registration on the root window.
for _ in $(seq 100); do xprop -root XIM_SERVERS 2>/dev/null | grep -q '@server=ibus' && break; sleep 0.1; done
xprop -root XIM_SERVERS 2>/dev/null | grep -q '@server=ibus' || bad "IBus registered no XIM server: $(cat "$tmp/ibus.log")"
XMODIFIERS=@im=ibus LC_ALL=en_US.UTF-8 start_app '{"auto_translate":false}'
wait_state '"model":"gugugo-test-gptneox"' || bad "the model did not load for the IME test"
win=$(xdotool search --sync --name '^Gugugo$' | head -1)
xdotool mousemove --window "$win" 200 200 click 1
ibus engine hangul
xdotool type --delay 80 dkssudgktpdy # 안녕하세요 on the 2-set keyboard
xdotool key ctrl+Return
if wait_state '"source":"안녕하세요","translated":"안녕하세요".*"status":"Done in'; then ok; else
	bad "IME: the final translation is not of the whole text: $(cat "$state" "$tmp/ibus.log")"
fi
import -window "$win" "$art/gui-ime.png"
stop_app
ibus exit >/dev/null 2>&1

echo "gui: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
