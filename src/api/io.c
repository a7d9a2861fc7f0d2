/* The I/O entry points: handshake, read, write, shutdown, SSL_get_error and
 * SSL_clear, with OpenSSL 3.0's return conventions. */
#include "internal.h"

#include <string.h>
#include <time.h>

#include "codec/consts.h"
#include "handshake/conn.h"
#include "handshake/hs.h"
#include "handshake/pha.h"
#include "record/record_io.h"

void ssl_io_free(SSL *s)
{
    SSL_SESSION_free(s->ticket_base);
    s->ticket_base = NULL;
    tls13_pha_free(s);
    hs_free(s);
    rec_layer_free(&s->rl);
    OPENSSL_free(s->kex_shares);
    s->kex_shares = NULL;
    s->kex_peer_len = s->kex_own_len = 0;
    EVP_PKEY_free(s->dhe_domain);
    s->dhe_domain = NULL;
}

/* role_check: as OpenSSL, which refuses I/O until SSL_set_connect_state,
 * SSL_set_accept_state, SSL_connect or SSL_accept chose a role (whatever
 * the method): |reason| is SSL_R_CONNECTION_TYPE_NOT_SET for
 * SSL_do_handshake, SSL_R_UNINITIALIZED for the others. */
static int role_check(SSL *s, int reason)
{
    if (!s->role_set || s->server < 0) {
        ERR_raise(ERR_LIB_SSL, reason);
        return 0;
    }
    return 1;
}

/* Every entry point that may move records ends here: whatever buffer is
 * empty is released before control goes back to the application, so an
 * idle connection holds none (what SSL_MODE_RELEASE_BUFFERS asks of
 * OpenSSL, here always: an allocation and a wipe per record).  With
 * SSL_MODE_RELEASE_BUFFERS a connection that now waits for its peer (after
 * the handshake, the read would block, nothing is left to send) also
 * releases its keyed cipher contexts, about 1 KB each with AES-GCM: keying
 * them again costs about 0.3 us per direction when it wakes up, which a
 * request/response exchange pays every time, so only an application that
 * asked to trade time for idle memory gets it. */
static int io_return(SSL *s, int r)
{
    rec_release_buffers(s);
    if (r <= 0 && s->rwstate == SSL_READING && s->phase == HS_PHASE_DONE &&
        rec_pending_output(s) == 0 && (s->cfg.mode & SSL_MODE_RELEASE_BUFFERS))
        rec_park_keys(s);
    return r;
}

static int do_handshake(SSL *s)
{
    if (!role_check(s, SSL_R_CONNECTION_TYPE_NOT_SET))
        return -1;
    if (s->fatal)
        return -1; /* OpenSSL's error state: nothing queued */
    if (s->phase == HS_PHASE_DONE) {
        /* OpenSSL sends what SSL_new_session_ticket / SSL_key_update asked
         * for on the next SSL_do_handshake too, not only on SSL_write. */
        if (conn_has_pending(s) && !conn_send_pending(s))
            return -1;
        if (rec_pending_output(s) > 0 && conn_flush(s) != 1)
            return -1;
        return 1;
    }
    ERR_set_mark();
    int r = hs_run(s);
    if (r > 0)
        ERR_pop_to_mark();
    else
        ERR_clear_last_mark();
    return r;
}

int SSL_do_handshake(SSL *s)
{
    return io_return(s, do_handshake(s));
}

int SSL_connect(SSL *s)
{
    if (!s->role_set)
        SSL_set_connect_state(s);
    return SSL_do_handshake(s);
}

int SSL_accept(SSL *s)
{
    if (!s->role_set)
        SSL_set_accept_state(s);
    return SSL_do_handshake(s);
}

static int read_app(SSL *s, void *buf, size_t num, size_t *out, int peek)
{
    *out = 0;
    if (!role_check(s, SSL_R_UNINITIALIZED))
        return -1;
    s->rwstate = SSL_NOTHING;
    if (s->shutdown & SSL_RECEIVED_SHUTDOWN)
        return 0;
    if (s->phase != HS_PHASE_DONE) {
        int r = SSL_do_handshake(s);
        if (r <= 0)
            return r;
    }
    /* After a fatal error OpenSSL's state machine refuses quietly: -1 with
     * nothing queued (SSL_ERROR_SYSCALL). */
    if (s->fatal)
        return -1;
    if (conn_has_pending(s) && !conn_send_pending(s))
        return -1;
    if (num == 0 && !(s->rl.plain_len > 0 && s->rl.plain_type == REC_APPDATA))
        return 1; /* OpenSSL returns 0 bytes without reading */
    int r = conn_read_app(s);
    /* The peer's fatal alert, or EOF without close_notify (unexpected EOF):
     * OpenSSL 3.0's SSL_read returns 0 (SSL_ERROR_SSL), not -1. */
    if (r < 0 && s->fatal && ((s->shutdown & SSL_RECEIVED_SHUTDOWN) || s->rl.eof))
        return 0;
    if (r <= 0)
        return r;
    struct rec_layer *rl = &s->rl;
    size_t n = num < rl->plain_len ? num : rl->plain_len;
    memcpy(buf, rl->plain, n);
    if (!peek) {
        rl->plain += n;
        rl->plain_len -= n;
    }
    *out = n;
    return 1;
}

static int read_internal(SSL *s, void *buf, size_t num, size_t *out, int peek)
{
    return io_return(s, read_app(s, buf, num, out, peek));
}

int SSL_read_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
    return read_internal(s, buf, num, readbytes, 0) > 0;
}

int SSL_read(SSL *s, void *buf, int num)
{
    size_t n;
    if (num < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return -1;
    }
    int r = read_internal(s, buf, (size_t)num, &n, 0);
    return r > 0 ? (int)n : r;
}

int SSL_peek_ex(SSL *s, void *buf, size_t num, size_t *readbytes)
{
    return read_internal(s, buf, num, readbytes, 1) > 0;
}

int SSL_peek(SSL *s, void *buf, int num)
{
    size_t n;
    if (num < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return -1;
    }
    int r = read_internal(s, buf, (size_t)num, &n, 1);
    return r > 0 ? (int)n : r;
}

int SSL_pending(const SSL *s)
{
    if (s->rl.plain_type != REC_APPDATA || s->phase != HS_PHASE_DONE)
        return 0;
    return s->rl.plain_len > INT_MAX ? INT_MAX : (int)s->rl.plain_len;
}

int SSL_has_pending(const SSL *s)
{
    /* processed or not: a record in part, or bytes read ahead */
    return SSL_pending(s) > 0 || s->rl.rbuf_len > 0 || s->rl.ahead != NULL;
}

static int write_app(SSL *s, const void *buf, size_t num, size_t *written)
{
    struct rec_layer *rl = &s->rl;
    *written = 0;
    if (!role_check(s, SSL_R_UNINITIALIZED))
        return -1;
    s->rwstate = SSL_NOTHING;
    if (s->shutdown & SSL_SENT_SHUTDOWN) {
        ERR_raise(ERR_LIB_SSL, SSL_R_PROTOCOL_IS_SHUTDOWN);
        return -1;
    }
    if (s->phase != HS_PHASE_DONE) {
        int r = SSL_do_handshake(s);
        if (r <= 0)
            return r;
    }
    if (s->fatal)
        return -1; /* as in read_internal */
    /* A retried write must cover at least what was already accepted. */
    if (rl->wpend_tot > 0 && num < rl->wpend_done) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_WRITE_RETRY);
        return -1;
    }
    if (rec_pending_output(s) > 0 && conn_flush(s) != 1)
        return -1;
    if (!conn_send_pending(s))
        return -1;
    size_t done = rl->wpend_tot > 0 ? rl->wpend_done : 0;
    size_t chunk = 4 * (rl->max_frag ? rl->max_frag : SESAME_MAX_PLAINTEXT);
    int partial = (s->cfg.mode & SSL_MODE_ENABLE_PARTIAL_WRITE) != 0;
    if (done == num && num > 0) {
        rl->wpend_tot = rl->wpend_done = 0;
        *written = num;
        return 1;
    }
    do {
        size_t n = num - done < chunk ? num - done : chunk;
        if (!rec_queue(s, REC_APPDATA, (const uint8_t *)buf + done, n)) {
            ssl_fatal(s, CODEC_ALERT_INTERNAL_ERROR);
            return -1;
        }
        done += n;
        int r = conn_flush(s);
        if (r < 0) {
            if (partial) {
                /* the bytes are committed; report them */
                *written = done;
                rl->wpend_tot = 0;
                return 1;
            }
            rl->wpend_tot = num;
            rl->wpend_done = done;
            return -1;
        }
        if (r == 0)
            return -1;
        if (partial)
            break;
    } while (done < num);
    rl->wpend_tot = rl->wpend_done = 0;
    *written = done;
    return 1;
}

static int write_internal(SSL *s, const void *buf, size_t num, size_t *written)
{
    return io_return(s, write_app(s, buf, num, written));
}

int SSL_write_ex(SSL *s, const void *buf, size_t num, size_t *written)
{
    return write_internal(s, buf, num, written) > 0;
}

int SSL_write(SSL *s, const void *buf, int num)
{
    size_t n;
    if (num < 0) {
        ERR_raise(ERR_LIB_SSL, SSL_R_BAD_LENGTH);
        return -1;
    }
    int r = write_internal(s, buf, (size_t)num, &n);
    return r > 0 ? (int)n : r;
}

/* As OpenSSL 3.0's SSL_shutdown: the first call queues and writes our
 * close_notify (0, or 1 if the peer's arrived already; -1 while it cannot
 * be written); later calls read until the peer's close_notify (1; -1 with
 * SSL_ERROR_WANT_READ while there is nothing to read).  Application data
 * arriving then is an error (SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY,
 * no alert: ours was close_notify), and so is a connection that failed
 * fatally (OpenSSL's state machine is then back "in init"). */
static int shutdown_internal(SSL *s)
{
    if (!role_check(s, SSL_R_UNINITIALIZED))
        return -1;
    if (SSL_in_init(s)) { /* OpenSSL: also while a post-handshake request waits */
        ERR_raise(ERR_LIB_SSL, SSL_R_SHUTDOWN_WHILE_IN_INIT);
        return -1;
    }
    if (s->cfg.quiet_shutdown) {
        s->shutdown = SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN;
        return 1;
    }
    if (!(s->shutdown & SSL_SENT_SHUTDOWN)) {
        s->shutdown |= SSL_SENT_SHUTDOWN;
        if (!s->fatal) {
            uint8_t a[2] = {CODEC_ALERT_LEVEL_WARNING, CODEC_ALERT_CLOSE_NOTIFY};
            if (!rec_queue(s, REC_ALERT, a, 2)) {
                ssl_fatal(s, 0); /* no close_notify: an unclean end (S10) */
                return -1;
            }
            s->alert_sent = CODEC_ALERT_CLOSE_NOTIFY;
        }
        if (conn_flush(s) != 1)
            return -1;
        if (s->wbio != NULL)
            (void)BIO_flush(s->wbio);
        return (s->shutdown & SSL_RECEIVED_SHUTDOWN) ? 1 : 0;
    }
    if (rec_pending_output(s) > 0) {
        if (conn_flush(s) != 1)
            return -1;
        return (s->shutdown & SSL_RECEIVED_SHUTDOWN) ? 1 : 0;
    }
    /* Later calls: wait for the peer's close_notify. */
    if (!(s->shutdown & SSL_RECEIVED_SHUTDOWN)) {
        int r = conn_read_app(s);
        if (r > 0) {
            ERR_raise(ERR_LIB_SSL, SSL_R_APPLICATION_DATA_AFTER_CLOSE_NOTIFY);
            ssl_fatal(s, 0);
            return -1;
        }
        if (r < 0 || !(s->shutdown & SSL_RECEIVED_SHUTDOWN))
            return -1;
    }
    return 1;
}

int SSL_shutdown(SSL *s)
{
    return io_return(s, shutdown_internal(s));
}

int SSL_get_error(const SSL *s, int ret)
{
    if (ret > 0)
        return SSL_ERROR_NONE;
    unsigned long e = ERR_peek_error();
    if (e != 0)
        return ERR_GET_LIB(e) == ERR_LIB_SYS ? SSL_ERROR_SYSCALL : SSL_ERROR_SSL;
    if (s->rwstate == SSL_READING) {
        BIO *b = s->rbio;
        if (b != NULL && BIO_should_read(b))
            return SSL_ERROR_WANT_READ;
        if (b != NULL && BIO_should_write(b))
            return SSL_ERROR_WANT_WRITE;
        if (b != NULL && BIO_should_io_special(b)) {
            int reason = BIO_get_retry_reason(b);
            return reason == BIO_RR_CONNECT  ? SSL_ERROR_WANT_CONNECT
                   : reason == BIO_RR_ACCEPT ? SSL_ERROR_WANT_ACCEPT
                                             : SSL_ERROR_SYSCALL;
        }
    }
    if (s->rwstate == SSL_WRITING) {
        BIO *b = s->wbio;
        if (b != NULL && BIO_should_write(b))
            return SSL_ERROR_WANT_WRITE;
        if (b != NULL && BIO_should_read(b))
            return SSL_ERROR_WANT_READ;
        if (b != NULL && BIO_should_io_special(b)) {
            int reason = BIO_get_retry_reason(b);
            return reason == BIO_RR_CONNECT  ? SSL_ERROR_WANT_CONNECT
                   : reason == BIO_RR_ACCEPT ? SSL_ERROR_WANT_ACCEPT
                                             : SSL_ERROR_SYSCALL;
        }
    }
    if (s->rwstate == SSL_X509_LOOKUP)
        return SSL_ERROR_WANT_X509_LOOKUP;
    if (s->rwstate == SSL_CLIENT_HELLO_CB)
        return SSL_ERROR_WANT_CLIENT_HELLO_CB;
    /* OpenSSL's rule: the peer's close (its close_notify, or its fatal
     * alert, or SSL_set_shutdown) unless its last warning was not a
     * close_notify (user_canceled). */
    if ((s->shutdown & SSL_RECEIVED_SHUTDOWN) && s->warn_alert == CODEC_ALERT_CLOSE_NOTIFY)
        return SSL_ERROR_ZERO_RETURN;
    return SSL_ERROR_SYSCALL;
}

int SSL_clear(SSL *s)
{
    /* Contract S10: a session whose connection did not end cleanly is
     * dropped from the cache and from this SSL; a good one stays, so a
     * client can reconnect with it. */
    if (s->session != NULL && s->phase == HS_PHASE_DONE && !(s->shutdown & SSL_SENT_SHUTDOWN)) {
        if (s->session_ctx != NULL)
            SSL_CTX_remove_session(s->session_ctx, s->session);
        SSL_SESSION_free(s->session);
        s->session = NULL;
    } else if (s->session != NULL && s->fatal) {
        SSL_SESSION_free(s->session);
        s->session = NULL;
    }
    SSL_SESSION_free(s->psk_session);
    s->psk_session = NULL;
    ssl_io_free(s);
    s->phase = HS_PHASE_BEFORE;
    s->rwstate = SSL_NOTHING;
    s->shutdown = 0;
    s->fatal = s->fatal_syscall = 0;
    s->alert_sent = s->alert_received = 0;
    s->warn_alert = 0;
    s->hit = 0;
    s->version = 0;
    s->cipher = NULL;
    s->group = 0;
    s->peer_groups = 0;
    OPENSSL_free(s->peer_groups_all);
    OPENSSL_free(s->peer_sigalgs_all);
    s->peer_groups_all = s->peer_sigalgs_all = NULL;
    s->num_peer_groups_all = s->num_peer_sigalgs_all = 0;
    s->num_shared_sigalgs = 0;
    OPENSSL_free(s->peer_ec_point_formats);
    s->peer_ec_point_formats = NULL;
    s->num_peer_ec_point_formats = 0;
    OPENSSL_free(s->peer_cert_types);
    s->peer_cert_types = NULL;
    s->num_peer_cert_types = 0;
    sk_X509_NAME_pop_free(s->peer_ca_names, X509_NAME_free);
    s->peer_ca_names = NULL;
    s->peer_sigalg = s->own_sigalg = 0;
    OPENSSL_free(s->alpn_selected);
    s->alpn_selected = NULL;
    s->alpn_selected_len = 0;
    s->verify_result = X509_V_OK;
    sk_X509_pop_free(s->peer_chain_nl, X509_free);
    s->peer_chain_nl = NULL;
    OPENSSL_cleanse(&s->s13, sizeof(s->s13));
    s->tickets_sent = 0;
    s->tickets_pending = 0;
    s->key_update_pending = 0;
    s->post_hs_msgs = 0;
    s->key_updates = 0;
    s->ku_reply_unsent = 0;
    s->ri_support = 0;
    s->finished_len = s->finished_peer_len = 0;
    s->certreq_sent = 0;
    if (s->server == 1 && s->hostname != NULL) {
        OPENSSL_free(s->hostname);
        s->hostname = NULL;
    }
    s->rl.max_frag = s->cfg.max_send_fragment ? s->cfg.max_send_fragment : 16384;
    return 1;
}

int SSL_key_update(SSL *s, int updatetype)
{
    if (s->version != TLS1_3_VERSION) {
        ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION);
        return 0;
    }
    if (updatetype != SSL_KEY_UPDATE_NOT_REQUESTED && updatetype != SSL_KEY_UPDATE_REQUESTED) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_KEY_UPDATE_TYPE);
        return 0;
    }
    /* as OpenSSL: not before the handshake is done, nor after a failure */
    if (s->phase != HS_PHASE_DONE || s->fatal) {
        ERR_raise(ERR_LIB_SSL, SSL_R_STILL_IN_INIT);
        return 0;
    }
    s->key_update_pending = (uint8_t)(updatetype + 1);
    return 1;
}

int SSL_get_key_update_type(const SSL *s)
{
    return s->key_update_pending == 0 ? SSL_KEY_UPDATE_NONE : s->key_update_pending - 1;
}

int SSL_new_session_ticket(SSL *s)
{
    if (!s->server || s->version != TLS1_3_VERSION || s->phase != HS_PHASE_DONE || s->fatal) {
        ERR_raise(ERR_LIB_SSL, SSL_R_INVALID_NULL_CMD_NAME);
        return 0;
    }
    if (s->tickets_pending < 255)
        s->tickets_pending++;
    return 1;
}

int SSL_renegotiate(SSL *s)
{
    (void)s;
    ERR_raise(ERR_LIB_SSL, SSL_R_WRONG_SSL_VERSION);
    return 0;
}

int SSL_renegotiate_abbreviated(SSL *s)
{
    return SSL_renegotiate(s);
}

int SSL_renegotiate_pending(const SSL *s)
{
    (void)s;
    return 0;
}

int SSL_verify_client_post_handshake(SSL *s)
{
    return tls13_pha_request(s);
}

int SSL_get_shutdown(const SSL *s)
{
    return s->shutdown;
}

void SSL_set_shutdown(SSL *s, int mode)
{
    s->shutdown = mode;
}
