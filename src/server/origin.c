/* src/server/origin.c -- whom the server answers. The dashboard has no login, so anything a
 * browser can be made to send it is a request of its user: a page of another site may send
 * a cross-site POST (refused by the Origin check), and a name of the attacker's that is made
 * to resolve to 127.0.0.1 (DNS rebinding) lets such a page also read the answers (refused by
 * the Host check, since the browser sends that name as Host). So the Host must be the bound
 * address or a localhost form, an IP literal when the server listens on every address, or
 * the host of an origin allowed by --allow-origin; and a state-changing request that carries
 * an Origin must come from such a host. Requests without Origin (curl, scripts) are not
 * browsers' cross-site requests and pass. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"

/* Splits "name:port", "[v6]:port", "name" or "[v6]" into name (without brackets) and port (0
 * when absent). False when malformed. */
static bool split_authority(const char *a, size_t len, char *name, size_t size, int *port)
{
    const char *end = a + len, *colon = NULL;
    *port = 0;
    if (len == 0)
        return false;
    if (a[0] == '[') {
        const char *close = memchr(a, ']', len);
        if (!close || (size_t)(close - a - 1) >= size)
            return false;
        snprintf(name, size, "%.*s", (int)(close - a - 1), a + 1);
        if (close + 1 == end)
            return true;
        if (close[1] != ':')
            return false;
        colon = close + 1;
    } else {
        colon = memchr(a, ':', len);
        const size_t n = colon ? (size_t)(colon - a) : len;
        if (n == 0 || n >= size || (colon && memchr(colon + 1, ':', (size_t)(end - colon - 1))))
            return false;
        snprintf(name, size, "%.*s", (int)n, a);
        if (!colon)
            return true;
    }
    if (colon + 1 == end || end - colon > 6)
        return false;
    int p = 0;
    for (const char *c = colon + 1; c < end; ++c) {
        if (*c < '0' || *c > '9')
            return false;
        p = p * 10 + (*c - '0');
    }
    *port = p;
    return p > 0 && p <= 65535;
}

/* name is the IP address addr (both in any textual form of the same family). */
static bool same_address(const char *name, const char *addr)
{
    unsigned char a[16], b[16];
    if (inet_pton(AF_INET, name, a) == 1 && inet_pton(AF_INET, addr, b) == 1)
        return memcmp(a, b, 4) == 0;
    if (inet_pton(AF_INET6, name, a) == 1 && inet_pton(AF_INET6, addr, b) == 1)
        return memcmp(a, b, 16) == 0;
    return false;
}

static bool is_ip(const char *name)
{
    unsigned char a[16];
    return inet_pton(AF_INET, name, a) == 1 || inet_pton(AF_INET6, name, a) == 1;
}

static bool wildcard(const char *bind)
{
    return same_address("0.0.0.0", bind) || same_address("::", bind);
}

/* Calls match(authority of each origin in the comma-separated list allow) until it agrees. */
static bool in_allow_list(const char *allow, const char *authority, size_t len, bool whole,
                          const char *origin)
{
    for (const char *s = allow; s && *s;) {
        const char *comma = strchr(s, ',');
        size_t n = comma ? (size_t)(comma - s) : strlen(s);
        while (n > 0 && (s[n - 1] == '/' || s[n - 1] == ' '))
            --n;
        while (n > 0 && *s == ' ')
            ++s, --n;
        if (whole) {
            if (n == strlen(origin) && strncasecmp(s, origin, n) == 0)
                return true;
        } else {
            const char *sep = n > 3 ? strstr(s, "://") : NULL;
            if (sep && sep < s + n) {
                const char *auth = sep + 3;
                const size_t an = (size_t)(s + n - auth);
                if (an == len && strncasecmp(auth, authority, len) == 0)
                    return true;
            }
        }
        s = comma ? comma + 1 : NULL;
    }
    return false;
}

static bool authority_allowed(const char *a, size_t len, const char *bind, int port,
                              const char *allow)
{
    if (in_allow_list(allow, a, len, false, NULL))
        return true;
    char name[256];
    int p;
    if (!split_authority(a, len, name, sizeof name, &p))
        return false;
    if (p != 0 && p != port)
        return false;
    if (strcasecmp(name, "localhost") == 0)
        return true;
    if (wildcard(bind))
        return is_ip(name);
    return same_address(name, bind) ||
           /* the loopback forms of a loopback server */
           ((same_address("127.0.0.1", bind) || same_address("::1", bind)) &&
            (same_address(name, "127.0.0.1") || same_address(name, "::1")));
}

bool lm__host_allowed(const char *host, const char *bind, int port, const char *allow)
{
    if (!host)
        return true; /* HTTP/1.0 without Host: no browser sends that */
    return authority_allowed(host, strlen(host), bind, port, allow);
}

bool lm__origin_allowed(const char *origin, const char *bind, int port, const char *allow)
{
    if (!origin)
        return true;
    if (in_allow_list(allow, NULL, 0, true, origin))
        return true;
    if (strncasecmp(origin, "http://", 7) != 0)
        return false; /* "null", https (we serve none), anything else */
    const char *a = origin + 7;
    size_t len = strlen(a);
    if (len > 0 && a[len - 1] == '/')
        --len;
    return authority_allowed(a, len, bind, port, NULL);
}
