"""belay action: a text card rendered by ImageMagick. Arguments arrive as JSON on stdin; the result is JSON on stdout."""
import json
import os
import subprocess
import sys

args = json.load(sys.stdin)
path = args.get("path", "card.png")
if os.path.isabs(path) or ".." in path.split("/"):
    sys.exit("path must stay inside the workspace: " + path)
width, height = args.get("width", 1200), args.get("height", 630)
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
text = args["text"]
if text.startswith("@"):
    text = "\\" + text  # ImageMagick reads "@file" as a file name
margin = max(width, height) // 20
result = subprocess.run(["convert", "-size", f"{width - 2 * margin}x{height - 2 * margin}",
                         "-background", args.get("background", "white"), "-fill", args.get("color", "black"),
                         "-gravity", "center", "caption:" + text,
                         "-bordercolor", args.get("background", "white"), "-border", str(margin),
                         "-extent", f"{width}x{height}", "PNG:" + path], capture_output=True)
if result.returncode != 0:
    sys.exit("convert failed: " + result.stderr.decode(errors="replace"))
print(json.dumps({"path": path, "width": width, "height": height,
                  "content": [{"type": "image", "path": path, "mimeType": "image/png"}]}))
