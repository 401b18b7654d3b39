# Belay's bridge to a Jupyter kernel: starts the kernel with a connection file whose sockets are unix sockets in the
# kernel's own 0700 directory, and relays its shell, control and iopub channels over this process's stdin and stdout.
# No TCP port is opened, so no other process, conversation or user reaches the kernel through the network.
# A message: a channel byte (s, c, i), a frame count, then each frame's length and bytes (big-endian 32-bit).
# A message from the kernel over the limit is replaced by the channel byte x with no frames; Belay never reads it.
import json, os, struct, subprocess, sys, threading, time

import zmq

connection, limit, command = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out = os.fdopen(os.dup(1), "wb")
requests = os.fdopen(os.dup(0), "rb")
os.dup2(2, 1)
kernel = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=2, stderr=2)
with open(connection) as f:
    info = json.load(f)
paths = {name: "%s-%d" % (info["ip"], info[name + "_port"]) for name in ("shell", "control", "iopub")}
while not all(os.path.exists(p) for p in paths.values()):
    if kernel.poll() is not None:
        sys.exit(kernel.returncode)
    time.sleep(0.02)
# the bridge ends with the kernel, with its exit code
threading.Thread(target=lambda: os._exit(kernel.wait()), daemon=True).start()

context = zmq.Context()


def socket(kind, name):
    s = context.socket(kind)
    s.setsockopt(zmq.LINGER, 0)
    s.connect("ipc://" + paths[name])
    return s


channels = {b"s": socket(zmq.DEALER, "shell"), b"c": socket(zmq.DEALER, "control"), b"i": socket(zmq.SUB, "iopub")}
channels[b"i"].setsockopt(zmq.SUBSCRIBE, b"")
inbox = context.socket(zmq.PULL)
inbox.bind("inproc://requests")


def read(n):
    data = requests.read(n)
    if len(data) < n:
        kernel.kill()
        os._exit(0)
    return data


def read_requests():
    # zmq sockets are not shared between threads: requests reach the polling thread through an inproc socket
    push = context.socket(zmq.PUSH)
    push.connect("inproc://requests")
    while True:
        channel = read(1)
        count, = struct.unpack(">I", read(4))
        push.send_multipart([channel] + [read(struct.unpack(">I", read(4))[0]) for _ in range(count)])


threading.Thread(target=read_requests, daemon=True).start()
names = {s: c for c, s in channels.items()}
poller = zmq.Poller()
for s in list(channels.values()) + [inbox]:
    poller.register(s, zmq.POLLIN)
while True:
    for s, _ in poller.poll():
        frames = s.recv_multipart()
        if s is inbox:
            channels[frames[0]].send_multipart(frames[1:])
        elif sum(len(f) for f in frames) > limit:
            out.write(b"x" + struct.pack(">I", 0))
            out.flush()
        else:
            out.write(names[s] + struct.pack(">I", len(frames)) + b"".join(struct.pack(">I", len(f)) + f for f in frames))
            out.flush()
