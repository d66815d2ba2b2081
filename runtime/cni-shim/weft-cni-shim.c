/*
 * weft — the CNI plugin binary kubelet/containerd execute from the CNI bin dir.
 *
 * It holds no CNI logic: it forwards the CNI_* environment and stdin to the Weft node runtime
 * over a Unix socket and relays the runtime's exit code, stdout and stderr. It is written in C
 * because it runs on every pod start and must cost (far) less than 5 ms; a JVM start would not.
 *
 * Socket: $WEFT_CNI_SOCKET, else /var/run/weft/cni.sock.
 * Wire format (all integers unsigned 32-bit big-endian; the io.weft.cni server reads the same):
 *   request:  magic "WCN1" (0x57434E31), envCount, envCount x (len, "CNI_NAME=value"),
 *             stdinLen, stdin bytes; then the shim half-closes its side.
 *   response: exitCode, stdoutLen, stdout bytes, stderrLen, stderr bytes.
 * When the runtime cannot be reached, or its reply is cut short, the shim prints a CNI error
 * (code 11, "try again later") naming the socket, and exits 11: the container runtime retries.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define REQUEST_MAGIC 0x57434E31u
#define DEFAULT_SOCKET "/var/run/weft/cni.sock"
#define SOCKET_ENV "WEFT_CNI_SOCKET"
#define FORWARDED_PREFIX "CNI_"
/* ADD may wait on IPAM (datastore round trips, block claims); DEL on a slow netns teardown. */
#define REPLY_TIMEOUT_SECONDS 300
#define SECONDS_TEXT_(n) #n
#define SECONDS_TEXT(n) SECONDS_TEXT_(n)
/* A reply field larger than this is not a CNI result but a broken peer; refuse to allocate it. */
#define MAX_REPLY_FIELD (64u * 1024u * 1024u)
#define EXIT_TRY_AGAIN 11
#define DEFAULT_CNI_VERSION "1.1.0"

extern char **environ;

struct buffer {
    unsigned char *data;
    size_t len;
    size_t cap;
};

static void die_out_of_memory(void) {
    static const char msg[] = "weft: out of memory\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(5);
}

static void buffer_reserve(struct buffer *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap - b->len < extra) {
        if (cap > SIZE_MAX / 2) die_out_of_memory();
        cap *= 2;
    }
    unsigned char *data = realloc(b->data, cap);
    if (!data) die_out_of_memory();
    b->data = data;
    b->cap = cap;
}

static void buffer_append(struct buffer *b, const void *bytes, size_t n) {
    buffer_reserve(b, n);
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
}

static void buffer_append_u32(struct buffer *b, uint32_t v) {
    unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v};
    buffer_append(b, be, 4);
}

static uint32_t read_u32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Returns 0, or -1 with errno set. Retries short writes and EINTR. */
static int write_all(int fd, const void *bytes, size_t n) {
    const unsigned char *p = bytes;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads exactly n bytes. Returns n, fewer at end of stream, or -1 with errno set. */
static ssize_t read_fully(int fd, void *bytes, size_t n) {
    unsigned char *p = bytes;
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, p + got, n - got);
        if (r < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        if (r == 0) break;
        got += (size_t)r;
    }
    return (ssize_t)got;
}

static void read_stdin(struct buffer *in) {
    for (;;) {
        buffer_reserve(in, 65536);
        ssize_t r = read(STDIN_FILENO, in->data + in->len, in->cap - in->len);
        if (r < 0) {
            if (errno == EINTR) continue;
            /* No usable stdin (closed descriptor): forward an empty configuration and let the
             * server say what is missing, as a plugin would. */
            return;
        }
        if (r == 0) return;
        in->len += (size_t)r;
    }
}

/*
 * The error must carry the cniVersion of the caller's configuration. A real JSON parse is the
 * server's job; a scan for the first "cniVersion": "x.y.z" is enough here (the key is at the
 * top level in every configuration runtimes send; a nested prevResult repeats the same value).
 */
static void find_cni_version(const struct buffer *in, char *out, size_t out_size) {
    static const char key[] = "\"cniVersion\"";
    const size_t key_len = sizeof key - 1;
    snprintf(out, out_size, "%s", DEFAULT_CNI_VERSION);
    if (!in->data) return;
    const unsigned char *end = in->data + in->len;
    const unsigned char *p = memmem(in->data, in->len, key, key_len);
    if (!p) return;
    p += key_len;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    if (p == end || *p++ != ':') return;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) p++;
    if (p == end || *p++ != '"') return;
    size_t n = 0;
    while (p + n < end && p[n] != '"') {
        /* only digits and dots: anything else is not a version and must not reach the JSON */
        if (!((p[n] >= '0' && p[n] <= '9') || p[n] == '.') || n + 1 >= out_size) return;
        n++;
    }
    if (p + n == end || n == 0) return;
    memcpy(out, p, n);
    out[n] = '\0';
}

static void append_json_string(struct buffer *b, const char *s) {
    buffer_append(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            buffer_append(b, esc, 2);
        } else if (c < 0x20) {
            char esc[8];
            snprintf(esc, sizeof esc, "\\u%04x", c);
            buffer_append(b, esc, 6);
        } else {
            buffer_append(b, &c, 1);
        }
    }
    buffer_append(b, "\"", 1);
}

/* Prints the CNI "try again later" error on stdout and exits 11. */
static void fail_unreachable(const struct buffer *in, const char *details) {
    char version[32];
    find_cni_version(in, version, sizeof version);
    struct buffer out = {0};
    static const char head[] = "{\"cniVersion\":";
    buffer_append(&out, head, sizeof head - 1);
    append_json_string(&out, version);
    static const char mid[] = ",\"code\":11,\"msg\":\"Weft node runtime is not reachable\",\"details\":";
    buffer_append(&out, mid, sizeof mid - 1);
    append_json_string(&out, details);
    buffer_append(&out, "}\n", 2);
    (void)write_all(STDOUT_FILENO, out.data, out.len);
    exit(EXIT_TRY_AGAIN);
}

/* strerror for a failed send; a send timeout shows up as EAGAIN, which says nothing useful. */
static const char *send_error(int e) {
    return (e == EAGAIN || e == EWOULDBLOCK)
               ? "the runtime read nothing for " SECONDS_TEXT(REPLY_TIMEOUT_SECONDS) " s"
               : strerror(e);
}

static const char HOW_TO_START[] =
    "start the node (systemctl start weft, or bin/karaf) or set " SOCKET_ENV;

static void build_request(struct buffer *req, const struct buffer *in) {
    buffer_append_u32(req, REQUEST_MAGIC);
    size_t count_at = req->len;
    buffer_append_u32(req, 0);
    uint32_t count = 0;
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, FORWARDED_PREFIX, sizeof FORWARDED_PREFIX - 1) != 0) continue;
        size_t n = strlen(*e);
        buffer_append_u32(req, (uint32_t)n);
        buffer_append(req, *e, n);
        count++;
    }
    unsigned char be[4] = {(unsigned char)(count >> 24), (unsigned char)(count >> 16),
                           (unsigned char)(count >> 8), (unsigned char)count};
    memcpy(req->data + count_at, be, 4);
    buffer_append_u32(req, (uint32_t)in->len);
    if (in->len) buffer_append(req, in->data, in->len);
}

/* Reads one length-prefixed reply field; returns 0, or -1 after filling details. */
static int read_field(int fd, const char *path, const char *what, struct buffer *field,
                      char *details, size_t details_size) {
    unsigned char be[4];
    ssize_t r = read_fully(fd, be, 4);
    if (r != 4) goto broken;
    uint32_t n = read_u32(be);
    if (n > MAX_REPLY_FIELD) {
        snprintf(details, details_size,
                 "%s sent a %s of %u bytes, more than the %u a reply may carry; "
                 "is that socket really a Weft node runtime? %s",
                 path, what, n, MAX_REPLY_FIELD, HOW_TO_START);
        return -1;
    }
    buffer_reserve(field, (size_t)n + 1);
    r = read_fully(fd, field->data, n);
    if (r != (ssize_t)n) goto broken;
    field->len = n;
    return 0;
broken:
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        snprintf(details, details_size, "no reply from %s within %d s; %s", path,
                 REPLY_TIMEOUT_SECONDS, HOW_TO_START);
    } else if (r < 0) {
        snprintf(details, details_size, "reading the reply from %s failed: %s; %s", path,
                 strerror(errno), HOW_TO_START);
    } else {
        snprintf(details, details_size,
                 "%s closed the connection before its reply was complete (%s cut short); "
                 "the node runtime may have stopped: %s",
                 path, what, HOW_TO_START);
    }
    return -1;
}

int main(void) {
    /* A runtime that goes away mid-request must give EPIPE (reported as code 11), not kill us. */
    signal(SIGPIPE, SIG_IGN);

    const char *path = getenv(SOCKET_ENV);
    if (!path || !*path) path = DEFAULT_SOCKET;

    struct buffer in = {0};
    read_stdin(&in);

    char details[1024];
    if (in.len > UINT32_MAX) {
        snprintf(details, sizeof details, "the network configuration on stdin is %zu bytes, "
                 "more than the protocol's 4 GiB; %s", in.len, HOW_TO_START);
        fail_unreachable(&in, details);
    }

    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (strlen(path) >= sizeof addr.sun_path) {
        snprintf(details, sizeof details,
                 "cannot connect to %s: the path is longer than %zu bytes; %s", path,
                 sizeof addr.sun_path - 1, HOW_TO_START);
        fail_unreachable(&in, details);
    }
    memcpy(addr.sun_path, path, strlen(path) + 1);

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(details, sizeof details, "cannot connect to %s: %s; %s", path, strerror(errno),
                 HOW_TO_START);
        fail_unreachable(&in, details);
    }
    int rc;
    do {
        rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        snprintf(details, sizeof details, "cannot connect to %s: %s; %s", path, strerror(errno),
                 HOW_TO_START);
        fail_unreachable(&in, details);
    }

    /* Neither side of the exchange may hang a pod start forever on a stuck runtime. */
    struct timeval timeout = {.tv_sec = REPLY_TIMEOUT_SECONDS};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);

    struct buffer req = {0};
    build_request(&req, &in);
    /* A server may answer before reading everything (a request over its size limit gets an
     * error at once): when sending fails, a complete reply already sent still wins. */
    int send_errno = write_all(fd, req.data, req.len) < 0 ? errno : 0;
    free(req.data);
    shutdown(fd, SHUT_WR);

    /* The whole reply is read before anything is printed, so a cut-short reply never leaves a
     * half-written result on stdout in front of the error. */
    unsigned char be[4];
    ssize_t r = read_fully(fd, be, 4);
    if (r != 4 && send_errno) {
        snprintf(details, sizeof details, "sending the request to %s failed: %s; %s", path,
                 send_error(send_errno), HOW_TO_START);
        fail_unreachable(&in, details);
    }
    if (r != 4) {
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            snprintf(details, sizeof details, "no reply from %s within %d s; %s", path,
                     REPLY_TIMEOUT_SECONDS, HOW_TO_START);
        } else if (r < 0) {
            snprintf(details, sizeof details, "reading the reply from %s failed: %s; %s", path,
                     strerror(errno), HOW_TO_START);
        } else {
            snprintf(details, sizeof details,
                     "%s closed the connection without a complete reply (exit code cut short); "
                     "the node runtime may have stopped: %s",
                     path, HOW_TO_START);
        }
        fail_unreachable(&in, details);
    }
    uint32_t exit_code = read_u32(be);
    struct buffer out = {0}, err = {0};
    if (read_field(fd, path, "stdout", &out, details, sizeof details) < 0 ||
        read_field(fd, path, "stderr", &err, details, sizeof details) < 0) {
        if (send_errno) {
            snprintf(details, sizeof details, "sending the request to %s failed: %s; %s", path,
                     send_error(send_errno), HOW_TO_START);
        }
        fail_unreachable(&in, details);
    }
    close(fd);

    if (out.len) (void)write_all(STDOUT_FILENO, out.data, out.len);
    if (err.len) (void)write_all(STDERR_FILENO, err.data, err.len);
    /* an exit status has 8 bits: never let 256 wrap around to success */
    return exit_code > 255 ? 255 : (int)exit_code;
}
