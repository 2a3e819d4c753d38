/*
 * pid1: run an app as PID 1 of its own PID namespace and watch it from the parent namespace.
 *
 * Why: PID 1 cannot be killed from inside its own PID namespace (see README.md), so a watcher in the
 * app's namespace cannot enforce a grace period. This helper runs as root with CAP_SYS_ADMIN in the
 * image, clone()s the app into new PID + mount namespaces (the app is then PID 1 exactly as under
 * `docker run`), drops to the image's user (resolved from its own /etc/passwd and /etc/group, as runc
 * does) with Docker's default capabilities, and from outside probes health, reads /proc, sends SIGTERM,
 * SIGKILLs at the grace limit, and prints ONE JSON report on stdout. The app's output goes only to
 * <out>/app.stdout and <out>/app.stderr. Exit 0 = the harness worked (whatever the app did); 2 = the
 * harness itself failed; 3 = the image cannot be started as configured (its USER names no user or
 * group); both with a one-line error on stderr.
 *
 * Build: gcc -static -O2 -o pid1 pid1.c   (glibc or musl; no dependencies)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_UNSET 64
#define MAX_GROUPS 64
#define MAX_LIST 256           /* listening sockets, files written, errors kept in the report */
#define BODY_MAX 1024          /* health body bytes kept */
#define WALK_MAX_ENTRIES 200000
#define WALK_MAX_MS 5000
/*
 * The capabilities Docker gives a container by default (moby's defaultCapabilities: CHOWN, DAC_OVERRIDE,
 * FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD,
 * AUDIT_WRITE, SETFCAP), which is what production gives the app. The harness itself needs more
 * (CAP_SYS_ADMIN for the namespaces), and an engine may hand it every capability, with full inheritable
 * and ambient sets: the app gets exactly this set instead, whatever the harness had.
 */
#define DOCKER_DEFAULT_CAPS 0xa80425fbULL

/* ---- options ---- */
static struct {
  const char *kind, *health_path, *workdir, *out, *user;
  long port, health_timeout_ms, grace_ms, exit_timeout_ms;
  int set_home;
  const char *unset[MAX_UNSET];
  int n_unset;
  char **argv;
} opt = {NULL, "/", "/", NULL, "", 8000, 30000, 30000, 15000, 0, {0}, 0, NULL};

/* The app's identity, resolved from --user and the image's /etc/passwd and /etc/group, as runc does. */
static struct {
  uid_t uid;
  gid_t gid;
  gid_t groups[MAX_GROUPS];
  int n_groups;
  char home[1024];
} who = {0, 0, {0}, 0, "/"};

/* ---- report state ---- */
typedef struct { char *items[MAX_LIST]; int n; } list_t;
static struct {
  long time_to_healthy, health_status, exit_code, time_to_exit, ns_pid;
  char body[BODY_MAX + 1];
  char health_error[256];
  long uids[4], gids[4];
  int n_uids, n_gids, port_answered, sigterm_sent, killed, exited;
  list_t listening, files, errors;
} rep = {.time_to_healthy = -1, .health_status = -1, .exit_code = -1, .time_to_exit = -1, .ns_pid = -1};

static struct timespec t_start;

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("pid1: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(2);
}

static long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void sleep_ms(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

static void list_add(list_t *l, const char *fmt, ...) {
  if (l->n >= MAX_LIST) return;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&l->items[l->n], fmt, ap) >= 0) l->n++;
  va_end(ap);
}

static long parse_num(const char *name, const char *v) {
  char *end;
  errno = 0;
  long n = strtol(v, &end, 10);
  if (errno || *end || n < 0) die("%s wants a non-negative integer, got '%s'", name, v);
  return n;
}

static void parse_args(int argc, char **argv) {
  int i = 1;
  for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
    const char *a = argv[i];
    if (!opt.kind && a[0] != '-') { opt.kind = a; continue; }
    if (i + 1 >= argc) die("option %s needs a value", a);
    const char *v = argv[++i];
    if (!strcmp(a, "--user")) opt.user = v;
    else if (!strcmp(a, "--set-home")) opt.set_home = !strcmp(v, "1");
    else if (!strcmp(a, "--port")) opt.port = parse_num(a, v);
    else if (!strcmp(a, "--health-path")) opt.health_path = v;
    else if (!strcmp(a, "--health-timeout-ms")) opt.health_timeout_ms = parse_num(a, v);
    else if (!strcmp(a, "--grace-ms")) opt.grace_ms = parse_num(a, v);
    else if (!strcmp(a, "--exit-timeout-ms")) opt.exit_timeout_ms = parse_num(a, v);
    else if (!strcmp(a, "--workdir")) opt.workdir = v;
    else if (!strcmp(a, "--out")) opt.out = v;
    else if (!strcmp(a, "--unset")) {
      if (opt.n_unset >= MAX_UNSET) die("too many --unset options (max %d)", MAX_UNSET);
      opt.unset[opt.n_unset++] = v;
    } else die("unknown option %s (see src/runtime/harness/README.md)", a);
  }
  if (!opt.kind || (strcmp(opt.kind, "serve") && strcmp(opt.kind, "missing-env")))
    die("first argument must be the kind: serve or missing-env");
  if (!opt.out) die("--out <dir> is required");
  if (opt.port < 1 || opt.port > 65535) die("--port must be 1..65535");
  if (i + 1 >= argc) die("give the app argv after '--'");
  opt.argv = &argv[i + 1];
}

/* ---- the image's user, resolved as runc resolves a container's USER ---- */

/* Exit 3: the image cannot be started as configured (its USER names no user or group). */
static void die_unstartable(const char *fmt, const char *name) {
  fputs("pid1: ", stderr);
  fprintf(stderr, fmt, name);
  fputc('\n', stderr);
  exit(3);
}

static int all_digits(const char *s) {
  if (!*s) return 0;
  for (; *s; s++) if (*s < '0' || *s > '9') return 0;
  return 1;
}

/* Split one line of /etc/passwd or /etc/group into at most `max` ':'-separated fields, in place. */
static int split_fields(char *line, char **fields, int max) {
  int n = 0;
  line[strcspn(line, "\n")] = 0;
  for (char *p = line; n < max; p++) {
    fields[n++] = p;
    p = strchr(p, ':');
    if (!p) break;
    *p = 0;
  }
  return n;
}

/* The passwd entry whose name is `name` (or, when name is NULL, whose uid is `uid`): 1 if found. */
static int find_passwd(const char *name, uid_t uid, uid_t *out_uid, gid_t *out_gid, char *home, size_t home_size, char *user, size_t user_size) {
  FILE *f = fopen("/etc/passwd", "r");
  if (!f) return 0;
  char line[4096], *fld[7];
  int found = 0;
  while (!found && fgets(line, sizeof line, f)) {
    if (split_fields(line, fld, 7) < 7 || !all_digits(fld[2]) || !all_digits(fld[3])) continue;
    if (name ? strcmp(fld[0], name) != 0 : strtoul(fld[2], NULL, 10) != uid) continue;
    *out_uid = (uid_t)strtoul(fld[2], NULL, 10);
    *out_gid = (gid_t)strtoul(fld[3], NULL, 10);
    snprintf(home, home_size, "%s", fld[5]);
    snprintf(user, user_size, "%s", fld[0]);
    found = 1;
  }
  fclose(f);
  return found;
}

/* With `group` set: its gid by name (1 if found). With `member` set: add the gids of groups listing it. */
static int scan_groups(const char *group, gid_t *gid, const char *member) {
  FILE *f = fopen("/etc/group", "r");
  if (!f) return 0;
  char line[8192], *fld[4];
  int found = 0;
  while (fgets(line, sizeof line, f)) {
    if (split_fields(line, fld, 4) < 4 || !all_digits(fld[2])) continue;
    gid_t g = (gid_t)strtoul(fld[2], NULL, 10);
    if (group && !strcmp(fld[0], group)) { *gid = g; found = 1; break; }
    if (!member) continue;
    for (char *m = strtok(fld[3], ","); m; m = strtok(NULL, ","))
      if (!strcmp(m, member) && who.n_groups < MAX_GROUPS && g != who.groups[0]) who.groups[who.n_groups++] = g;
  }
  fclose(f);
  return found;
}

/*
 * USER as the image config has it: "", "name", "uid", "name:group", "uid:gid" (any mix). As runc: a name
 * must exist in /etc/passwd; a uid need not (gid 0, HOME "/"); without a group the primary gid comes
 * from passwd and the supplementary groups from /etc/group; with one, it is the only group.
 */
static void resolve_user(void) {
  char spec[512], user[256] = "";
  snprintf(spec, sizeof spec, "%s", opt.user[0] ? opt.user : "0");
  char *group = strchr(spec, ':');
  if (group) *group++ = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  if (all_digits(spec)) {
    uid = (uid_t)strtoul(spec, NULL, 10);
    if (!find_passwd(NULL, uid, &uid, &gid, who.home, sizeof who.home, user, sizeof user)) snprintf(who.home, sizeof who.home, "/");
  } else if (!find_passwd(spec, 0, &uid, &gid, who.home, sizeof who.home, user, sizeof user)) {
    die_unstartable("unable to find user %s: no matching entries in passwd file", spec);
  }
  if (!who.home[0]) snprintf(who.home, sizeof who.home, "/");
  who.uid = uid;
  if (group && *group) {
    if (all_digits(group)) gid = (gid_t)strtoul(group, NULL, 10);
    else if (!scan_groups(group, &gid, NULL)) die_unstartable("unable to find group %s: no matching entries in group file", group);
    who.gid = gid;
    who.groups[0] = gid;
    who.n_groups = 1;
    return;
  }
  who.gid = gid;
  who.groups[0] = gid;
  who.n_groups = 1;
  if (user[0]) scan_groups(NULL, NULL, user);
}

/* ---- the child: becomes PID 1 of a new PID namespace, then the app ---- */

/* Sent through a CLOEXEC pipe when the child fails before exec: stage 0 = setup (harness), 1 = exec (app). */
struct child_err { int stage; int err; char what[64]; };
static int err_pipe[2];
static int out_fd, err_fd;

static void child_fail(int stage, const char *what) {
  struct child_err e = {stage, errno, ""};
  snprintf(e.what, sizeof e.what, "%s", what);
  ssize_t w = write(err_pipe[1], &e, sizeof e);
  (void)w;
  _exit(127);
}

/*
 * Leave the app exactly Docker's default capabilities, as `docker run` would: bounding, permitted and
 * effective set to DOCKER_DEFAULT_CAPS, inheritable and ambient empty. Ambient capabilities survive
 * execve and bounding-set drops alike, so they are cleared explicitly. Done as root, before setuid: a
 * change to a non-root uid then empties permitted and effective, as for a non-root container user, and
 * exec as root gives permitted = bounding, nothing more.
 */
static int limit_capabilities(void) {
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL) return -1;
  for (int cap = 0; cap < 64; cap++) {
    if (DOCKER_DEFAULT_CAPS & (1ULL << cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL) return -1; /* EINVAL: past the last cap */
  }
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data)) return -1;
  for (int i = 0; i < 2; i++) {
    uint32_t keep = (uint32_t)(DOCKER_DEFAULT_CAPS >> (32 * i));
    data[i].permitted &= keep;
    data[i].effective &= keep;
    data[i].inheritable = 0;
  }
  return syscall(SYS_capset, &header, data) ? -1 : 0;
}

static int child_main(void *arg) {
  (void)arg;
  /* Private mounts so the fresh /proc (showing only the new namespace) stays ours. */
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) child_fail(0, "make mounts private");
  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) child_fail(0, "mount /proc");
  if (chdir(opt.workdir)) child_fail(1, "chdir to the working directory");
  for (int i = 0; i < opt.n_unset; i++) unsetenv(opt.unset[i]);
  if (opt.set_home && setenv("HOME", who.home, 1)) child_fail(0, "set HOME");
  if (limit_capabilities()) child_fail(0, "limit capabilities to Docker's default set");
  if (setgroups((size_t)who.n_groups, who.groups)) child_fail(0, "setgroups");
  if (setgid(who.gid)) child_fail(0, "setgid");
  if (setuid(who.uid)) child_fail(0, "setuid");
  if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0) child_fail(0, "redirect output");
  int devnull = open("/dev/null", O_RDONLY);
  if (devnull >= 0) dup2(devnull, 0);
  execvp(opt.argv[0], opt.argv);
  child_fail(1, "exec the app");
  return 127;
}

static pid_t start_app(void) {
  char path[4096];
  snprintf(path, sizeof path, "%s/app.stdout", opt.out);
  out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  snprintf(path, sizeof path, "%s/app.stderr", opt.out);
  err_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0 || err_fd < 0) die("cannot create %s/app.stdout or app.stderr: %s", opt.out, strerror(errno));
  if (pipe2(err_pipe, O_CLOEXEC)) die("pipe: %s", strerror(errno));

  static char stack[256 * 1024] __attribute__((aligned(16)));
  pid_t pid = clone(child_main, stack + sizeof stack, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, NULL);
  if (pid < 0)
    die("clone(CLONE_NEWPID|CLONE_NEWNS) failed: %s: run the harness as root with CAP_SYS_ADMIN "
        "(docker run --user 0 --cap-add SYS_ADMIN, Dagger insecureRootCapabilities)", strerror(errno));
  close(err_pipe[1]);
  struct child_err e;
  ssize_t n = read(err_pipe[0], &e, sizeof e); /* EOF = exec succeeded */
  close(err_pipe[0]);
  if (n == (ssize_t)sizeof e) {
    if (e.stage == 0) {
      waitpid(pid, NULL, 0);
      die("cannot start the app: %s: %s (needs root with CAP_SYS_ADMIN)", e.what, strerror(e.err));
    }
    list_add(&rep.errors, "%s '%s': %s", e.what, e.stage == 1 ? opt.argv[0] : "", strerror(e.err));
  }
  return pid;
}

/* ---- waiting for the app ---- */

/* Non-blocking check; records the exit code as a shell reports it. Returns 1 once the app exited. */
static int reap(pid_t pid, int block) {
  if (rep.exited) return 1;
  int st;
  pid_t r = waitpid(pid, &st, block ? 0 : WNOHANG);
  if (r != pid) return 0;
  rep.exited = 1;
  rep.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return 1;
}

/* Wait up to limit_ms for exit, then SIGKILL (from this, the parent, namespace: it always lands). */
static void wait_or_kill(pid_t pid, long limit_ms, long since) {
  while (!reap(pid, 0) && now_ms() - since < limit_ms) sleep_ms(10);
  if (!rep.exited) {
    kill(pid, SIGKILL);
    rep.killed = 1;
    reap(pid, 1);
  }
  rep.time_to_exit = now_ms() - since;
}

/* ---- probes ---- */

/* Connect to 127.0.0.1:port within timeout_ms; returns the socket or -1. */
static int connect_port(long timeout_ms) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) return fd;
  if (errno != EINPROGRESS) { close(fd); return -1; }
  struct pollfd p = {fd, POLLOUT, 0};
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (poll(&p, 1, (int)timeout_ms) == 1 && !getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) && !soerr)
    return fd;
  close(fd);
  return -1;
}

/* One GET of the health path (HTTP/1.0: the server closes). Returns the status, or -1 with a reason. */
static int http_get(char *reason, size_t reason_len) {
  int fd = connect_port(500);
  if (fd < 0) { snprintf(reason, reason_len, "connection refused or timed out"); return -1; }
  rep.port_answered = 1;
  char req[2048];
  int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1:%ld\r\nUser-Agent: image-verify\r\n\r\n",
                   opt.health_path, opt.port);
  if (send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) { close(fd); snprintf(reason, reason_len, "send failed"); return -1; }
  static char buf[8192];
  size_t got = 0;
  long deadline = now_ms() + 2000;
  while (got < sizeof buf - 1) {
    struct pollfd p = {fd, POLLIN, 0};
    long left = deadline - now_ms();
    if (left <= 0 || poll(&p, 1, (int)left) != 1) break;
    ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
    if (r <= 0) break;
    got += (size_t)r;
  }
  close(fd);
  buf[got] = 0;
  int status;
  if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1) {
    snprintf(reason, reason_len, "no HTTP response (%zu bytes)", got);
    return -1;
  }
  char *body = strstr(buf, "\r\n\r\n");
  snprintf(rep.body, sizeof rep.body, "%s", body ? body + 4 : "");
  return status;
}

/* serve: poll the health endpoint until 200, the health timeout, or the app's exit. */
static void wait_healthy(pid_t pid, long t0) {
  char reason[128] = "no attempt";
  while (now_ms() - t0 < opt.health_timeout_ms) {
    if (reap(pid, 0)) {
      snprintf(rep.health_error, sizeof rep.health_error, "app exited (code %ld) before answering 200; last: %s",
               rep.exit_code, reason);
      return;
    }
    int s = http_get(reason, sizeof reason);
    if (s == 200) {
      rep.health_status = 200;
      rep.time_to_healthy = now_ms() - t0;
      return;
    }
    if (s > 0) { rep.health_status = s; snprintf(reason, sizeof reason, "status %d", s); }
    sleep_ms(100);
  }
  snprintf(rep.health_error, sizeof rep.health_error, "no 200 within %ld ms; last: %s", opt.health_timeout_ms, reason);
}

/* Uid:/Gid:/NSpid: lines of /proc/<pid>/status. */
static void read_status(pid_t pid) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE *f = fopen(path, "r");
  if (!f) { list_add(&rep.errors, "cannot read %s: %s", path, strerror(errno)); return; }
  while (fgets(line, sizeof line, f)) {
    long *dst = NULL;
    int *n = NULL;
    if (!strncmp(line, "Uid:", 4)) { dst = rep.uids; n = &rep.n_uids; }
    else if (!strncmp(line, "Gid:", 4)) { dst = rep.gids; n = &rep.n_gids; }
    else if (!strncmp(line, "NSpid:", 6)) {
      char *last = strrchr(line, '\t');
      if (last) rep.ns_pid = strtol(last + 1, NULL, 10);
      continue;
    } else continue;
    /* Real, effective, saved (the 4th, filesystem, is not reported). */
    *n = sscanf(line + 4, "%ld %ld %ld", &dst[0], &dst[1], &dst[2]);
  }
  fclose(f);
}

/* /proc/<pid>/net/tcp{,6}: LISTEN (state 0A) sockets as "0.0.0.0:8000" or "[::]:8000". */
static void read_listening(pid_t pid, int v6) {
  char path[64], line[512];
  snprintf(path, sizeof path, "/proc/%d/net/tcp%s", pid, v6 ? "6" : "");
  FILE *f = fopen(path, "r");
  if (!f) return; /* no IPv6 in this kernel/namespace: nothing listens there */
  while (fgets(line, sizeof line, f)) {
    char local[64] = "", st[8];
    unsigned port;
    if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %7s", local, &port, st) != 3 || strcmp(st, "0A")) continue;
    if (strlen(local) != (v6 ? 32u : 8u)) continue;
    char text[INET6_ADDRSTRLEN];
    /* The kernel prints each 32-bit word of the address in host byte order. */
    unsigned char bytes[16];
    size_t words = v6 ? 4 : 1;
    for (size_t w = 0; w < words; w++) {
      char hex[9];
      memcpy(hex, local + w * 8, 8);
      hex[8] = 0;
      uint32_t word = (uint32_t)strtoul(hex, NULL, 16);
      memcpy(bytes + w * 4, &word, 4);
    }
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, text, sizeof text);
    if (v6) list_add(&rep.listening, "[%s]:%u", text, port);
    else list_add(&rep.listening, "%s:%u", text, port);
  }
  fclose(f);
}

/* missing-env: wait for the exit; meanwhile any successful TCP connect means the app served anyway. */
static void watch_start(pid_t pid, long t0) {
  while (!reap(pid, 0) && now_ms() - t0 < opt.exit_timeout_ms) {
    int fd = connect_port(100);
    if (fd >= 0) { rep.port_answered = 1; close(fd); }
    sleep_ms(50);
  }
  wait_or_kill(pid, 0, t0);
}

/* ---- files written: a bounded walk for regular files modified since start ---- */

static long walk_entries;
static long walk_deadline;

static int skipped(const char *path) {
  static const char *skip[] = {"/proc", "/sys", "/dev", "/tmp", "/.verify", "/etc/hosts", "/etc/hostname",
                               "/etc/resolv.conf", NULL};
  for (int i = 0; skip[i]; i++)
    if (!strcmp(path, skip[i])) return 1;
  return opt.out && !strcmp(path, opt.out);
}

static void walk(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (++walk_entries > WALK_MAX_ENTRIES || now_ms() > walk_deadline) break;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", e->d_name);
    if (skipped(path)) continue;
    struct stat st;
    if (lstat(path, &st)) continue;
    if (S_ISDIR(st.st_mode)) walk(path);
    else if (S_ISREG(st.st_mode) &&
             (st.st_mtim.tv_sec > t_start.tv_sec ||
              (st.st_mtim.tv_sec == t_start.tv_sec && st.st_mtim.tv_nsec >= t_start.tv_nsec)))
      list_add(&rep.files, "%s", path);
  }
  closedir(d);
}

static void find_files_written(void) {
  walk_deadline = now_ms() + WALK_MAX_MS;
  walk("/");
  if (walk_entries > WALK_MAX_ENTRIES || now_ms() > walk_deadline)
    list_add(&rep.errors, "file walk stopped early (%d entries / %d ms bound)", WALK_MAX_ENTRIES, WALK_MAX_MS);
}

/* ---- the report ---- */

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(f, "\\%c", *p);
    else if (*p == '\n') fputs("\\n", f);
    else if (*p < 0x20 || *p == 0x7f) fprintf(f, "\\u%04x", *p);
    else fputc(*p, f);
  }
  fputc('"', f);
}

static void json_list(FILE *f, const char *key, const list_t *l) {
  fprintf(f, ",\"%s\":[", key);
  for (int i = 0; i < l->n; i++) { if (i) fputc(',', f); json_str(f, l->items[i]); }
  fputc(']', f);
}

static void json_nums(FILE *f, const char *key, const long *v, int n) {
  if (n <= 0) return;
  fprintf(f, ",\"%s\":[", key);
  for (int i = 0; i < n; i++) fprintf(f, "%s%ld", i ? "," : "", v[i]);
  fputc(']', f);
}

static void json_opt(FILE *f, const char *key, long v) {
  if (v >= 0) fprintf(f, ",\"%s\":%ld", key, v);
}

static void write_report(FILE *f) {
  fprintf(f, "{\"harness\":\"pid1/1\",\"kind\":");
  json_str(f, opt.kind);
  json_opt(f, "timeToHealthyMs", rep.time_to_healthy);
  if (rep.health_status >= 0) {
    fprintf(f, ",\"health\":{\"status\":%ld,\"body\":", rep.health_status);
    json_str(f, rep.body);
    fputc('}', f);
  }
  if (rep.health_error[0]) { fputs(",\"healthError\":", f); json_str(f, rep.health_error); }
  json_nums(f, "uids", rep.uids, rep.n_uids);
  json_nums(f, "gids", rep.gids, rep.n_gids);
  json_opt(f, "nsPid", rep.ns_pid);
  json_list(f, "listening", &rep.listening);
  fprintf(f, ",\"portAnswered\":%s", rep.port_answered ? "true" : "false");
  if (rep.sigterm_sent) fputs(",\"signalSent\":\"SIGTERM\"", f);
  json_opt(f, "exitCode", rep.exit_code);
  json_opt(f, "timeToExitMs", rep.time_to_exit);
  fprintf(f, ",\"killed\":%s", rep.killed ? "true" : "false");
  json_list(f, "filesWritten", &rep.files);
  json_list(f, "harnessErrors", &rep.errors);
  fputs("}\n", f);
}

int main(int argc, char **argv) {
  parse_args(argc, argv);
  resolve_user();
  clock_gettime(CLOCK_REALTIME, &t_start);
  /* File timestamps come from a coarse clock that can lag by a tick: start the "since" window 50 ms early. */
  t_start.tv_nsec -= 50000000L;
  if (t_start.tv_nsec < 0) { t_start.tv_nsec += 1000000000L; t_start.tv_sec--; }
  long t0 = now_ms();
  pid_t pid = start_app();

  if (!strcmp(opt.kind, "serve")) {
    wait_healthy(pid, t0);
    if (!reap(pid, 0)) {
      read_status(pid);
      read_listening(pid, 0);
      read_listening(pid, 1);
      /* As `docker stop`: SIGTERM, which PID 1 receives only if it installed a handler. */
      kill(pid, SIGTERM);
      rep.sigterm_sent = 1;
      wait_or_kill(pid, opt.grace_ms, now_ms());
    }
  } else {
    watch_start(pid, t0);
  }

  find_files_written();
  char path[4096];
  snprintf(path, sizeof path, "%s/report.json", opt.out);
  FILE *f = fopen(path, "w");
  if (f) { write_report(f); fclose(f); }
  write_report(stdout);
  return fflush(stdout) == 0 ? 0 : 2;
}
