package dev.belay.journal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/** The C library's inotify calls, with poll and read to drain its queue, and the inotify(7) constants they take. */
interface Inotify extends Library {

    Inotify C = Native.load(Platform.C_LIBRARY_NAME, Inotify.class);

    int MODIFY = 0x2;
    int ATTRIB = 0x4;
    int MOVED_FROM = 0x40;
    int MOVED_TO = 0x80;
    int CREATE = 0x100;
    int DELETE = 0x200;
    int Q_OVERFLOW = 0x4000;
    int IGNORED = 0x8000;
    int ONLYDIR = 0x01000000;
    int DONT_FOLLOW = 0x02000000;
    int EXCL_UNLINK = 0x04000000;
    int ISDIR = 0x40000000;
    int NONBLOCK = 0x800;
    int CLOEXEC = 0x80000;
    int WATCH = MODIFY | ATTRIB | MOVED_FROM | MOVED_TO | CREATE | DELETE | ONLYDIR | DONT_FOLLOW | EXCL_UNLINK;
    /** An event's fixed part: wd, mask, cookie, len. */
    int HEADER = 16;

    int ENOENT = 2;
    int EINTR = 4;
    int ENOTDIR = 20;
    short POLLIN = 1;

    int inotify_init1(int flags) throws LastErrorException;

    int inotify_add_watch(int fd, byte[] path, int mask) throws LastErrorException;

    int poll(Pointer fds, NativeLong count, int timeout) throws LastErrorException;

    NativeLong read(int fd, Pointer buffer, NativeLong count) throws LastErrorException;

    int close(int fd) throws LastErrorException;
}
