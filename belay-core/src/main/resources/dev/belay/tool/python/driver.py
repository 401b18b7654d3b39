# Belay's Python session driver: one JSON request per line in, one JSON answer per line out, each answer repeating
# its request's id and nonce; while a cell runs and writes, at most one progress line a second before its answer
# ({"id", "nonce", "progress": its last lines}), never after it. Both pipes are moved away from descriptors 0 and 1
# before any cell runs: cells read /dev/null and their writes to descriptor 1 go to stderr, the moved descriptors are
# not inherited by child processes, and the process is made non-dumpable so that no other process can open them
# through /proc. Belay ends the session when anything but these arrives on the channel.
import ast, base64, io, json, os, signal, sys, threading, time, traceback


def channel():
    requests = os.fdopen(os.dup(0), "r", encoding="utf-8")
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    os.dup2(2, 1)
    sys.stdin = open(os.devnull, "r")
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE: /proc/<pid>/fd becomes root's
    except Exception:
        pass
    return requests, answers


KEEP = int(os.environ.get("BELAY_OUTPUT_KEEP", "16384"))
# what one answer may carry besides text; Belay refuses longer answers, so the driver drops the excess and says so
MAX_IMAGES = int(os.environ.get("BELAY_MAX_IMAGES", "8"))
MAX_IMAGE_BYTES = int(os.environ.get("BELAY_MAX_IMAGE_BYTES", str(2 << 20)))


class Bounded(io.TextIOBase):
    """Keeps the first and last KEEP characters of what is written, and counts the rest."""

    def __init__(self):
        self.head, self.tail, self.dropped = [], "", 0
        self.head_len = 0
        self.progress = None

    def write(self, s):
        written = len(s)
        self.keep(s)
        if self.progress is not None:
            self.progress.dirty = True
        return written

    def tail_text(self):
        return self.tail if self.tail else "".join(self.head)[-2048:]

    def keep(self, s):
        if self.head_len < KEEP:
            take = s[:KEEP - self.head_len]
            self.head.append(take)
            self.head_len += len(take)
            s = s[len(take):]
        if len(s) >= KEEP:
            # a huge write replaces the tail without first being appended to it
            self.dropped += len(self.tail) + len(s) - KEEP
            self.tail = s[-KEEP:]
        elif s:
            self.tail += s
            if len(self.tail) > KEEP:
                self.dropped += len(self.tail) - KEEP
                self.tail = self.tail[-KEEP:]

    def text(self):
        head = "".join(self.head)
        if self.dropped:
            return head + "\n[... %d characters dropped ...]\n" % self.dropped + self.tail
        return head + self.tail


PROGRESS_LINES, PROGRESS_WIDTH, PROGRESS_EVERY = 5, 200, 1.0


class Progress:
    """Tells Belay a running cell's last lines, once a second while it writes, and nothing once it has its answer."""

    def __init__(self, answers, request, streams):
        self.answers, self.streams = answers, streams
        self.head = {"id": request["id"], "nonce": request["nonce"]}
        self.lock, self.open, self.dirty = threading.Lock(), True, False
        threading.Thread(target=self.tell, daemon=True).start()

    def tell(self):
        while True:
            time.sleep(PROGRESS_EVERY)
            with self.lock:
                if not self.open:
                    return
                if not self.dirty:
                    continue
                self.dirty = False
                lines = []
                for stream in self.streams:
                    tail = [line for line in stream.tail_text().splitlines() if line.strip()][-PROGRESS_LINES:]
                    lines += [line[:PROGRESS_WIDTH] + ("…" if len(line) > PROGRESS_WIDTH else "") for line in tail]
                self.answers.write(json.dumps(dict(self.head, progress="\n".join(lines))) + "\n")

    def close(self):
        with self.lock:
            self.open = False


class Timeout(KeyboardInterrupt):
    pass


def on_alarm(signum, frame):
    raise Timeout()


signal.signal(signal.SIGALRM, on_alarm)
namespace = {"__name__": "__main__", "__builtins__": __builtins__}


def figures():
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    images = []
    for number in plt.get_fignums():
        buffer = io.BytesIO()
        plt.figure(number).savefig(buffer, format="png", bbox_inches="tight")
        images.append(base64.b64encode(buffer.getvalue()).decode("ascii"))
    plt.close("all")
    return images


def rich(value):
    for method, kind in (("_repr_png_", "png"), ("_repr_markdown_", "text"), ("_repr_html_", "text")):
        render = getattr(value, method, None)
        if callable(render):
            try:
                out = render()
            except Exception:
                continue
            if out:
                return kind, out
    return None, None


def bounded(text):
    kept = Bounded()
    kept.write(text)
    return kept.text()


def keep_images(images, err):
    kept = [i for i in images if len(i) <= MAX_IMAGE_BYTES * 4 // 3 + 4]
    if len(kept) < len(images):
        err.write("[%d image(s) over %d bytes were not returned]\n" % (len(images) - len(kept), MAX_IMAGE_BYTES))
    if len(kept) > MAX_IMAGES:
        err.write("[%d more image(s) were not returned: at most %d per cell]\n" % (len(kept) - MAX_IMAGES, MAX_IMAGES))
    return kept[:MAX_IMAGES]


def run(request, answers):
    out, err = Bounded(), Bounded()
    progress = Progress(answers, request, [out, err])
    out.progress = err.progress = progress
    sys.stdout, sys.stderr = out, err
    answer = {"id": request["id"], "nonce": request["nonce"]}
    images = []
    try:
        tree = ast.parse(request["code"], "<cell>", "exec")
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        signal.setitimer(signal.ITIMER_REAL, request.get("timeout", 0))
        try:
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                if value is not None:
                    namespace["_"] = value
                    kind, rendered = rich(value)
                    if kind == "png":
                        images.append(base64.b64encode(rendered).decode("ascii"))
                    answer["value"] = bounded(rendered if kind == "text" else repr(value))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as error:
        if isinstance(error, SystemExit):
            error = RuntimeError("the cell called exit(); the session keeps running")
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<cell>"]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) \
            + "".join(traceback.format_exception_only(type(error), error))
        answer["error"] = {"type": "Timeout" if isinstance(error, Timeout) else type(error).__name__,
                           "message": bounded(str(error)), "traceback": bounded(text)}
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
        progress.close()  # no progress line may follow the answer, even from a thread the cell left running
    try:
        images += figures()
    except Exception as error:
        err.write("could not render figures: %s\n" % error)
    images = keep_images(images, err)
    answer["stdout"], answer["stderr"], answer["images"] = out.text(), err.text(), images
    return answer


def serve():
    requests, answers = channel()
    for line in requests:
        answer = run(json.loads(line), answers)
        answers.write(json.dumps(answer) + "\n")


serve()
