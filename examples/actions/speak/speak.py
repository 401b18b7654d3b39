"""belay action: text to speech with espeak-ng. Arguments arrive as JSON on stdin; the result is JSON on stdout."""
import json
import os
import subprocess
import sys

args = json.load(sys.stdin)
path = args.get("path", "speech.wav")
if os.path.isabs(path) or ".." in path.split("/"):
    sys.exit("path must stay inside the workspace: " + path)
voice = args.get("voice", "en")
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
# the text goes on stdin, so that nothing in it can be read as an option
result = subprocess.run(["espeak-ng", "-v", voice, "-s", str(args.get("speed", 175)), "-w", path, "--stdin"],
                        input=args["text"].encode(), capture_output=True)
if result.returncode != 0:
    sys.exit("espeak-ng failed: " + result.stderr.decode(errors="replace"))
print(json.dumps({
    "path": path,
    "bytes": os.path.getsize(path),
    "voice": voice,
    "content": [{"type": "audio", "path": path, "mimeType": "audio/wav"}],
}))
