"""Records assets/demo.gif without vhs: plays demo.tape's keystrokes against the real binary in
tmux (as tests/demo_tape.rs does), captures the screen with its colours a few times a second
while the tape is shown, and renders the frames with Pillow in DejaVu Sans Mono.

vhs cannot be installed on the build machines; where it can, `vhs demo.tape` gives the same tour.

    .venv/bin/pip install pillow
    .venv/bin/python tests/python/record_demo.py target/release/kafka-lab demo.tape assets/demo.gif
"""

import re
import subprocess
import sys
import threading
import time

from PIL import Image, ImageDraw, ImageFont

COLS, ROWS = 140, 40
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
FONT_SIZE = 14
FRAME_SECONDS = 0.25
# A light theme, close to the tape's Catppuccin Latte.
BG, FG = (239, 241, 245), (76, 79, 105)
ANSI = [
    (92, 95, 119), (210, 15, 57), (64, 160, 43), (223, 142, 29),
    (30, 102, 245), (234, 118, 203), (23, 146, 153), (172, 176, 190),
    (108, 111, 133), (210, 15, 57), (64, 160, 43), (223, 142, 29),
    (30, 102, 245), (234, 118, 203), (23, 146, 153), (188, 192, 204),
]
KEYS = {"Enter": "Enter", "Up": "Up", "Down": "Down", "Left": "Left", "Right": "Right",
        "Tab": "Tab", "Escape": "Escape", "Space": "Space", "Backspace": "BSpace",
        "PageUp": "PPage", "PageDown": "NPage", "Home": "Home", "End": "End"}


def xterm256(n):
    if n < 16:
        return ANSI[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)


def parse_sgr(params, style):
    fg, bg, bold, dim, rev = style
    codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            fg, bg, bold, dim, rev = None, None, False, False, False
        elif c == 1:
            bold = True
        elif c == 2:
            dim = True
        elif c == 7:
            rev = True
        elif c == 22:
            bold = dim = False
        elif c == 27:
            rev = False
        elif 30 <= c <= 37:
            fg = ANSI[c - 30]
        elif 90 <= c <= 97:
            fg = ANSI[c - 90 + 8]
        elif 40 <= c <= 47:
            bg = ANSI[c - 40]
        elif 100 <= c <= 107:
            bg = ANSI[c - 100 + 8]
        elif c == 39:
            fg = None
        elif c == 49:
            bg = None
        elif c in (38, 48) and i + 1 < len(codes):
            if codes[i + 1] == 5 and i + 2 < len(codes):
                color = xterm256(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2 and i + 4 < len(codes):
                color = tuple(codes[i + 2:i + 5])
                i += 4
            else:
                color = None
            if c == 38:
                fg = color
            else:
                bg = color
        i += 1
    return (fg, bg, bold, dim, rev)


def cells(line):
    """Yields (char, style) for one captured line with SGR escapes."""
    style = (None, None, False, False, False)
    for m in re.finditer(r"\x1b\[([0-9;]*)m|([^\x1b])", line):
        if m.group(2) is None:
            style = parse_sgr(m.group(1), style)
        else:
            yield m.group(2), style


def render(screen, font, bold_font, cw, ch):
    img = Image.new("RGB", (COLS * cw + 24, ROWS * ch + 24), BG)
    draw = ImageDraw.Draw(img)
    for y, line in enumerate(screen.split("\n")[:ROWS]):
        for x, (c, (fg, bg, bold, dim, rev)) in enumerate(cells(line)):
            if x >= COLS:
                break
            fg, bg = fg or FG, bg or BG
            if rev:
                fg, bg = bg, fg
            if dim:
                fg = tuple((a + b) // 2 for a, b in zip(fg, BG))
            px, py = 12 + x * cw, 12 + y * ch
            if bg != BG:
                draw.rectangle([px, py, px + cw - 1, py + ch - 1], fill=bg)
            if c != " ":
                draw.text((px, py), c, font=bold_font if bold else font, fill=fg)
    return img


def tmux(*args):
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def main(binary, tape_path, out_path):
    session = f"kafka-lab-record-{int(time.time())}"
    tmux("new-session", "-d", "-s", session, "-x", str(COLS), "-y", str(ROWS),
         "bash --norc --noprofile")
    frames, shown, stop = [], [False], [False]

    def capture():
        while not stop[0]:
            if shown[0]:
                frames.append(tmux("capture-pane", "-e", "-p", "-t", session))
            time.sleep(FRAME_SECONDS)

    thread = threading.Thread(target=capture)
    thread.start()
    try:
        for raw in open(tape_path, encoding="utf-8"):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            word, _, rest = line.partition(" ")
            if word == "Hide":
                shown[0] = False
            elif word == "Show":
                shown[0] = True
            elif word == "Type":
                text = rest.strip()[1:-1]
                text = text.replace("cargo build --release --quiet", "true")
                text = text.replace("./target/release/kafka-lab", binary)
                tmux("send-keys", "-t", session, "-l", text)
            elif word == "Sleep":
                value = rest.strip()
                time.sleep(float(value[:-2]) / 1000 if value.endswith("ms") else float(value[:-1]))
            elif word.startswith("Wait"):
                timeout = 15.0
                m = re.match(r"Wait(?:\+Screen)?(?:@(\d+)(ms|s))?", word)
                if m and m.group(1):
                    timeout = int(m.group(1)) / (1000 if m.group(2) == "ms" else 1)
                pattern = re.compile(rest.strip()[1:-1])
                deadline = time.time() + timeout
                while not pattern.search(tmux("capture-pane", "-p", "-t", session)):
                    if time.time() > deadline:
                        raise SystemExit(f"timed out on: {line}")
                    time.sleep(0.1)
            elif word in KEYS:
                count = int(rest) if rest.strip().isdigit() else 1
                for _ in range(count):
                    tmux("send-keys", "-t", session, KEYS[word])
            elif word.startswith("Ctrl+"):
                tmux("send-keys", "-t", session, "C-" + word[5:].lower())
            # Output, Set, Require: vhs settings with no meaning here.
    finally:
        stop[0] = True
        thread.join()
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)

    font = ImageFont.truetype(FONT, FONT_SIZE)
    bold_font = ImageFont.truetype(FONT_BOLD, FONT_SIZE)
    cw, ch = int(font.getlength("M")), FONT_SIZE + 4
    # Identical consecutive captures become one longer frame.
    merged = []
    for screen in frames:
        if merged and merged[-1][0] == screen:
            merged[-1][1] += 1
        else:
            merged.append([screen, 1])
    images = [render(s, font, bold_font, cw, ch).quantize(colors=32) for s, _ in merged]
    durations = [int(n * FRAME_SECONDS * 1000) for _, n in merged]
    images[0].save(out_path, save_all=True, append_images=images[1:], duration=durations,
                   loop=0, optimize=True)
    print(f"{out_path}: {len(images)} frames, {sum(durations) / 1000:.1f} s")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
