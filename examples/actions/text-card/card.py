"""belay action: a text card rendered by ImageMagick. Arguments arrive as JSON on stdin; the result is JSON on stdout."""
import json
import os
import subprocess
import sys

FONT = "DejaVu Sans"  # installed by the action's setup (fonts-dejavu-core)

args = json.load(sys.stdin)
path = args.get("path", "card.png")
if os.path.isabs(path) or ".." in path.split("/"):
    sys.exit("path must stay inside the workspace: " + path)
width, height = args.get("width", 1200), args.get("height", 630)

# ImageMagick's own default font is Ghostscript's Helvetica, absent on a minimal install; without a font it renders
# nothing and says only "no images defined". So the card names a font file found by fontconfig.
found = subprocess.run(["fc-match", "--format=%{file}", FONT], capture_output=True, text=True)
font = found.stdout.strip()
if found.returncode != 0 or not font or not os.path.isfile(font):
    sys.exit(f"no font for the card: fc-match found none for {FONT!r} ({found.stderr.strip() or 'no output'}); "
             "install fonts-dejavu-core (the action's setup does) and try again")

os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
text = args["text"]
if text.startswith("@"):
    text = "\\" + text  # ImageMagick reads "@file" as a file name
margin = max(width, height) // 20
result = subprocess.run(["convert", "-size", f"{width - 2 * margin}x{height - 2 * margin}",
                         "-background", args.get("background", "white"), "-fill", args.get("color", "black"),
                         "-font", font, "-gravity", "center", "caption:" + text,
                         "-bordercolor", args.get("background", "white"), "-border", str(margin),
                         "-extent", f"{width}x{height}", "PNG:" + path], capture_output=True)
stderr = result.stderr.decode(errors="replace").strip()
if result.returncode != 0 or not os.path.isfile(path):
    sys.exit(f"ImageMagick's convert could not draw the card (exit code {result.returncode}): "
             + (stderr or "it printed nothing"))
print(json.dumps({"path": path, "width": width, "height": height,
                  "content": [{"type": "image", "path": path, "mimeType": "image/png"}]}))
