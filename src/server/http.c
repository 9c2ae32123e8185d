/* src/server/http.c -- `longmen serve` over HTTP (include/longmen/server.h): libmicrohttpd
 * accepts connections on a socket we bind ourselves (so a busy port or a bad address is a
 * clear error, and port 0 picks a free port), reads requests in a small pool of threads,
 * collects bodies up to a limit, and hands each complete request to the API (api.c).
 *
 * Defences, each with its reason: the socket binds 127.0.0.1 unless told otherwise (the
 * dashboard starts work on this machine and has no login); a body larger than the limit is
 * refused with 413 as soon as its Content-Length says so, or when the bytes pass the limit,
 * and is never stored; connections idle longer than the timeout are closed (slow clients
 * cannot hold threads, with epoll they hold no thread at all); the number of connections is
 * bounded; headers larger than libmicrohttpd's per-connection memory are refused by it. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "scenario/confine.h"
#include "server/server_int.h"

#define DEFAULT_BODY_LIMIT 65536
#define DEFAULT_TIMEOUT_S 15
#define DEFAULT_CONNECTIONS 128
#define DEFAULT_HTTP_THREADS 4
#define DEFAULT_QUEUE 8
/* When three quarters of the connection slots are taken, an incomplete request gets this
 * long, not --timeout: a flood of slow clients from one address (or from behind one proxy)
 * would otherwise hold every slot for --timeout at a time, and the slots it frees would go
 * to its next connections as often as to a real client. A real request arrives whole in a
 * few milliseconds. */
#define PRESSURE_GRACE_S 1.0

/* A TCP connection, from libmicrohttpd's "started" to its "closed" notification: while a
 * request is incomplete (headers or body still arriving) it has until since + timeout. */
typedef struct tcp_conn {
    struct tcp_conn *prev, *next;
    int fd;          /* borrowed from libmicrohttpd; valid while the conn is listed */
    bool incomplete; /* a request is being received */
    bool cut;        /* shut down by the watchdog */
    double since;    /* when the request's first byte could arrive */
} tcp_conn;

struct lm_server {
    struct MHD_Daemon *daemon;
    int fd;
    int port;
    char bind[64];
    lm__api api;
    bool api_mu_ready;
    /* the watchdog of slow requests: libmicrohttpd's own timeout restarts with every byte,
     * so a client trickling one header byte a second would keep its slot for ever */
    pthread_mutex_t conns_mu;
    bool conns_mu_ready;
    tcp_conn *conns;
    unsigned n_conns;    /* listed in conns */
    unsigned conn_limit; /* --connections */
    pthread_t watchdog;
    bool watchdog_running;
    volatile bool stopping;
    double timeout_s;
    char *allow_origins; /* --allow-origin, new; NULL: none */
};

typedef struct request {
    char *body;
    size_t len, cap;
    bool too_large;
    bool answered;
} request;

void lm_server_config_init(lm_server_config *cfg) { memset(cfg, 0, sizeof *cfg); }

static const char *query_value(void *ctx, const char *key)
{
    return MHD_lookup_connection_value((struct MHD_Connection *)ctx, MHD_GET_ARGUMENT_KIND, key);
}

static enum MHD_Result send_response(struct MHD_Connection *conn, lm__response *r)
{
    struct MHD_Response *resp;
    if (r->body) {
        resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
        if (resp)
            r->body = NULL; /* MHD owns it now */
    } else {
        resp = MHD_create_response_from_buffer(r->len, (void *)(uintptr_t)r->static_body,
                                               MHD_RESPMEM_PERSISTENT);
    }
    if (!resp) {
        lm__response_fini(r);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/octet-stream");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (r->page)
        MHD_add_response_header(resp, "Content-Security-Policy",
                                "default-src 'self'; script-src 'self'; style-src 'self' "
                                "'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; "
                                "frame-src 'self'; object-src 'none'; base-uri 'none'");
    if (r->retry_after_s > 0) {
        char s[16];
        snprintf(s, sizeof s, "%d", r->retry_after_s);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s);
    }
    if (r->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    const enum MHD_Result ok = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    lm__response_fini(r);
    return ok;
}

static enum MHD_Result too_large(struct MHD_Connection *conn, const lm__api *api)
{
    lm__response r = {0};
    lm__respond_error(&r, 413, "body_too_large", NULL,
                      "the request body is larger than %zu bytes", api->body_limit);
    return send_response(conn, &r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode what)
{
    lm_server *srv = cls;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        tcp_conn *c = ci ? calloc(1, sizeof *c) : NULL;
        if (!c)
            return; /* unwatched: libmicrohttpd's idle timeout still applies */
        c->fd = ci->connect_fd;
        c->incomplete = true;
        c->since = now_s();
        pthread_mutex_lock(&srv->conns_mu);
        c->next = srv->conns;
        if (c->next)
            c->next->prev = c;
        srv->conns = c;
        ++srv->n_conns;
        pthread_mutex_unlock(&srv->conns_mu);
        *socket_context = c;
        return;
    }
    tcp_conn *c = *socket_context;
    if (!c)
        return;
    /* Unlisted before libmicrohttpd closes the descriptor, so it is never shut down after
     * its number has been reused. */
    pthread_mutex_lock(&srv->conns_mu);
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    --srv->n_conns;
    pthread_mutex_unlock(&srv->conns_mu);
    free(c);
    *socket_context = NULL;
}

/* Marks the connection's request as complete (answered) or starts the clock of the next. */
static void request_phase(lm_server *srv, struct MHD_Connection *mc, bool incomplete)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    tcp_conn *c = ci ? ci->socket_context : NULL;
    if (!c)
        return;
    pthread_mutex_lock(&srv->conns_mu);
    c->incomplete = incomplete;
    c->since = now_s();
    pthread_mutex_unlock(&srv->conns_mu);
}

/* Every 100 ms: a connection whose request is still incomplete after the timeout is shut
 * down, after PRESSURE_GRACE_S when three quarters of the slots are taken (an idle kept-alive
 * connection counts as incomplete too); libmicrohttpd then reads the end of the stream and
 * closes it. */
static void *watchdog(void *arg)
{
    lm_server *srv = arg;
    while (!srv->stopping) {
        const struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
        const double now = now_s();
        pthread_mutex_lock(&srv->conns_mu);
        const double grace = (unsigned long)srv->n_conns * 4 >= (unsigned long)srv->conn_limit * 3
                                 ? PRESSURE_GRACE_S
                                 : srv->timeout_s;
        for (tcp_conn *c = srv->conns; c; c = c->next)
            if (c->incomplete && !c->cut && now - c->since > grace) {
                shutdown(c->fd, SHUT_RDWR);
                c->cut = true;
            }
        pthread_mutex_unlock(&srv->conns_mu);
    }
    return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size, void **state)
{
    (void)version;
    lm_server *srv = cls;
    request *rq = *state;
    if (!rq) {
        /* First call: the headers are in. Refuse a body that announces itself too large. */
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *state = rq;
        lm__response r = {0};
        const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
        const char *origin =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
        const bool reads = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
                           strcmp(method, "OPTIONS") == 0;
        if (!lm__host_allowed(host, srv->bind, srv->port, srv->allow_origins))
            lm__respond_error(&r, 403, "bad_host", NULL,
                              "this server does not answer to that Host name (it answers to "
                              "its address and localhost; see --allow-origin)");
        else if (!reads && !lm__origin_allowed(origin, srv->bind, srv->port, srv->allow_origins))
            lm__respond_error(&r, 403, "cross_origin", NULL,
                              "requests from pages of other sites are refused (see "
                              "--allow-origin)");
        if (r.status) {
            rq->answered = true;
            request_phase(srv, conn, false);
            return send_response(conn, &r);
        }
        const char *cl =
            MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            errno = 0;
            const unsigned long long n = strtoull(cl, &end, 10);
            if (errno || end == cl || n > srv->api.body_limit) {
                rq->answered = true;
                request_phase(srv, conn, false);
                return too_large(conn, &srv->api);
            }
        }
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!rq->too_large) {
            if (rq->len + *upload_data_size > srv->api.body_limit) {
                rq->too_large = true; /* chunked bodies: found out while reading */
                free(rq->body);
                rq->body = NULL;
                rq->len = rq->cap = 0;
            } else {
                if (rq->len + *upload_data_size + 1 > rq->cap) {
                    size_t cap = rq->cap ? rq->cap : 1024;
                    while (cap < rq->len + *upload_data_size + 1)
                        cap *= 2;
                    char *grown = realloc(rq->body, cap);
                    if (!grown)
                        return MHD_NO;
                    rq->body = grown;
                    rq->cap = cap;
                }
                memcpy(rq->body + rq->len, upload_data, *upload_data_size);
                rq->len += *upload_data_size;
                rq->body[rq->len] = '\0';
            }
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->answered)
        return MHD_YES;
    rq->answered = true;
    request_phase(srv, conn, false);
    if (rq->too_large)
        return too_large(conn, &srv->api);
    const lm__request req = {
        .method = method,
        .path = url,
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE),
        .query = query_value,
        .query_ctx = conn,
        .body = rq->body,
        .body_len = rq->len,
    };
    lm__response resp;
    lm__api_handle(&srv->api, &req, &resp);
    return send_response(conn, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
                         enum MHD_RequestTerminationCode code)
{
    (void)code;
    request_phase(cls, conn, true); /* a kept-alive connection waits for its next request */
    request *rq = *state;
    if (rq) {
        free(rq->body);
        free(rq);
        *state = NULL;
    }
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Percent-decoding of paths and query values, once. Unlike libmicrohttpd's default, "%00"
 * stays as it is: a NUL would cut the path short ("/api/runs/x%00/.." is not "/api/runs/x"),
 * and no name here holds one. */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    char *w = s;
    for (const char *r = s; *r;) {
        const int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
        const int lo = hi >= 0 ? hex_digit(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Binds and listens on addr:port (IPv4 or IPv6). Returns the socket, -1 with err set. */
static int listen_on(const char *addr, int port, int *bound_port, lm_error *err)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    int family;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        family = v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        len = sizeof *v4;
    } else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        family = v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        len = sizeof *v6;
    } else {
        lm_error_set(err, LM_EINVAL, __FILE__, __LINE__,
                     "--bind %s: expected an IP address such as 127.0.0.1 or ::1", addr);
        return -1;
    }
    const int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        lm_error_set(err, LM_EIO, __FILE__, __LINE__, "cannot create a socket: %s",
                     strerror(errno));
        return -1;
    }
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
        const int e = errno;
        close(fd);
        lm_error_set(err, LM_EIO, __FILE__, __LINE__, "cannot listen on %s port %d: %s%s", addr,
                     port, strerror(e),
                     e == EADDRINUSE ? " (choose another with --port, or --port 0 for any)" : "");
        return -1;
    }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *bound_port = ntohs(family == AF_INET ? v4->sin_port : v6->sin6_port);
    return fd;
}

static const char *default_scenarios_dir(void)
{
    if (access("scenarios", R_OK | X_OK) == 0)
        return "scenarios";
#ifdef LM_SOURCE_DIR
    return LM_SOURCE_DIR "/scenarios";
#else
    return "scenarios";
#endif
}

lm_status lm_server_start(const lm_server_config *cfg_in, lm_server **out, lm_error *err)
{
    *out = NULL;
    lm_error_clear(err);
    lm_server_config cfg = *cfg_in;
    if (!cfg.bind)
        cfg.bind = "127.0.0.1";
    if (cfg.port < 0 || cfg.port > 65535)
        LM_FAIL(err, LM_EINVAL, "--port %d: expected 0 to 65535", cfg.port);
    if (cfg.workers == 0)
        cfg.workers = 1;
    if (cfg.queue == 0)
        cfg.queue = DEFAULT_QUEUE;
    if (cfg.body_limit == 0)
        cfg.body_limit = DEFAULT_BODY_LIMIT;
    if (cfg.timeout_s == 0)
        cfg.timeout_s = DEFAULT_TIMEOUT_S;
    if (cfg.connections == 0)
        cfg.connections = DEFAULT_CONNECTIONS;
    if (cfg.http_threads == 0)
        cfg.http_threads = DEFAULT_HTTP_THREADS;
    if (strlen(cfg.bind) >= sizeof((lm_server *)0)->bind)
        LM_FAIL(err, LM_EINVAL, "--bind: address too long");

    lm_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        LM_FAIL(err, LM_ENOMEM, "server");
    srv->fd = -1;
    snprintf(srv->bind, sizeof srv->bind, "%s", cfg.bind);
    if (cfg.allow_origins && !(srv->allow_origins = strdup(cfg.allow_origins))) {
        free(srv);
        LM_FAIL(err, LM_ENOMEM, "server");
    }
    lm__api *api = &srv->api;
    api->threads = cfg.threads;
    api->max_memory = cfg.max_memory;
    api->body_limit = cfg.body_limit;
    pthread_mutex_init(&api->mu, NULL);
    srv->api_mu_ready = true;
    const char *sdir = cfg.scenarios_dir ? cfg.scenarios_dir : default_scenarios_dir();
    if (snprintf(api->scenarios_dir, sizeof api->scenarios_dir, "%s", sdir) >=
        (int)sizeof api->scenarios_dir - 300) {
        lm_server_stop(srv);
        LM_FAIL(err, LM_EINVAL, "--scenarios-dir: path too long");
    }
    lm_status st = lm__runs_open(cfg.runs_dir, &api->runs, err);
    char copies[4400];
    snprintf(copies, sizeof copies, "%s/.longmen-serve",
             st == LM_OK ? lm__runs_dir(api->runs) : "");
    if (st == LM_OK) /* before any thread loads a scenario */
        st = lm__scenario_confine(api->scenarios_dir, lm__runs_dir(api->runs), copies, err);
    if (st == LM_OK)
        st = lm__jobs_start(cfg.workers, cfg.queue, lm__api_default_runner(), &api->jobs, err);
    if (st == LM_OK && (srv->fd = listen_on(cfg.bind, cfg.port, &srv->port, err)) < 0)
        st = err->code;
    if (st != LM_OK) {
        lm_server_stop(srv);
        return st;
    }
    srv->timeout_s = cfg.timeout_s;
    srv->conn_limit = (unsigned)cfg.connections;
    pthread_mutex_init(&srv->conns_mu, NULL);
    srv->conns_mu_ready = true;
    if (pthread_create(&srv->watchdog, NULL, watchdog, srv) != 0) {
        lm_server_stop(srv);
        LM_FAIL(err, LM_EIO, "cannot start a thread");
    }
    srv->watchdog_running = true;
    srv->daemon = MHD_start_daemon(
        MHD_USE_AUTO_INTERNAL_THREAD, 0, NULL, NULL, on_request, srv,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg.http_threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)cfg.connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg.timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (!srv->daemon) {
        lm_server_stop(srv);
        LM_FAIL(err, LM_EIO, "cannot start the HTTP server (libmicrohttpd)");
    }
    srv->fd = -1; /* the daemon owns the socket now and closes it when stopped */
    *out = srv;
    return LM_OK;
}

int lm_server_port(const lm_server *srv) { return srv ? srv->port : 0; }
const char *lm_server_bind(const lm_server *srv) { return srv ? srv->bind : ""; }

void lm_server_stop(lm_server *srv)
{
    if (!srv)
        return;
    if (srv->watchdog_running) {
        srv->stopping = true;
        pthread_join(srv->watchdog, NULL);
    }
    if (srv->daemon)
        MHD_stop_daemon(srv->daemon); /* answers nothing more; requests in flight finish */
    if (srv->conns_mu_ready)
        pthread_mutex_destroy(&srv->conns_mu);
    free(srv->allow_origins);
    if (srv->fd >= 0)
        close(srv->fd);
    lm__jobs_stop(srv->api.jobs);
    lm__runs_close(srv->api.runs);
    lm__scenario_unconfine();
    if (srv->api_mu_ready)
        pthread_mutex_destroy(&srv->api.mu);
    free(srv);
}
