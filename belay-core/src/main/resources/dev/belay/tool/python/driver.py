# Belay's Python session driver: one JSON request per line on stdin, one JSON answer per line on the protocol
# channel (the original stdout). The user's prints are captured per cell; output written straight to file
# descriptor 1 (child processes) goes to stderr, so it can never corrupt the protocol.
import ast, base64, io, json, os, signal, sys, traceback

proto = os.fdopen(os.dup(1), "w", buffering=1)
os.dup2(2, 1)
KEEP = int(os.environ.get("BELAY_OUTPUT_KEEP", "16384"))


class Bounded(io.TextIOBase):
    """Keeps the first and last KEEP characters of what is written, and counts the rest."""

    def __init__(self):
        self.head, self.tail, self.dropped = [], "", 0
        self.head_len = 0

    def write(self, s):
        if self.head_len < KEEP:
            take = s[:KEEP - self.head_len]
            self.head.append(take)
            self.head_len += len(take)
            s = s[len(take):]
        if s:
            self.tail += s
            if len(self.tail) > KEEP:
                self.dropped += len(self.tail) - KEEP
                self.tail = self.tail[-KEEP:]
        return len(s)

    def text(self):
        head = "".join(self.head)
        if self.dropped:
            return head + "\n[... %d characters dropped ...]\n" % self.dropped + self.tail
        return head + self.tail


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


def run(request):
    out, err = Bounded(), Bounded()
    sys.stdout, sys.stderr = out, err
    answer = {"id": request["id"]}
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
                    answer["value"] = rendered if kind == "text" else repr(value)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException as error:
        if isinstance(error, SystemExit):
            error = RuntimeError("the cell called exit(); the session keeps running")
        frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == "<cell>"]
        text = "Traceback (most recent call last):\n" + "".join(traceback.format_list(frames)) \
            + "".join(traceback.format_exception_only(type(error), error))
        answer["error"] = {"type": "Timeout" if isinstance(error, Timeout) else type(error).__name__,
                           "message": str(error), "traceback": text}
    finally:
        sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    try:
        images += figures()
    except Exception as error:
        err.write("could not render figures: %s\n" % error)
    answer["stdout"], answer["stderr"], answer["images"] = out.text(), err.text(), images
    return answer


for line in sys.stdin:
    request = json.loads(line)
    proto.write(json.dumps(run(request)) + "\n")
