/* The table of handshake states: our names for debug output, and what
 * SSL_get_state, SSL_state_string and SSL_state_string_long report (the
 * strings OpenSSL 3.0 uses for the corresponding step). */
#include "internal.h"

#include "handshake/hs.h"

static const struct hs_state_info k_states[HS_NUM_STATES] = {
    [CS_SEND_CLIENT_HELLO] = {"send_client_hello", TLS_ST_CW_CLNT_HELLO,
                              "SSLv3/TLS write client hello", "TWCH"},
    [CS_READ_SERVER_HELLO] = {"read_server_hello", TLS_ST_CR_SRVR_HELLO,
                              "SSLv3/TLS read server hello", "TRSH"},
    [CS_SEND_SECOND_CLIENT_HELLO] = {"send_second_client_hello", TLS_ST_CW_CLNT_HELLO,
                                     "SSLv3/TLS write client hello", "TWCH"},
    [CS_READ_ENCRYPTED_EXTENSIONS] = {"read_encrypted_extensions", TLS_ST_CR_ENCRYPTED_EXTENSIONS,
                                      "TLSv1.3 read encrypted extensions", "TRET"},
    [CS_READ_CERTIFICATE_REQUEST] = {"read_certificate_request", TLS_ST_CR_CERT_REQ,
                                     "SSLv3/TLS read server certificate request", "TRCR"},
    [CS_READ_SERVER_CERTIFICATE] = {"read_server_certificate", TLS_ST_CR_CERT,
                                    "SSLv3/TLS read server certificate", "TRSC"},
    [CS_READ_SERVER_CERTIFICATE_VERIFY] = {"read_server_certificate_verify", TLS_ST_CR_CERT_VRFY,
                                           "TLSv1.3 read server certificate verify", "TRSCV"},
    [CS_READ_SERVER_FINISHED] = {"read_server_finished", TLS_ST_CR_FINISHED,
                                 "SSLv3/TLS read finished", "TRFIN"},
    [CS_SEND_CLIENT_CERTIFICATE] = {"send_client_certificate", TLS_ST_CW_CERT,
                                    "SSLv3/TLS write client certificate", "TWCC"},
    [CS_SEND_CLIENT_FINISHED] = {"send_client_finished", TLS_ST_CW_FINISHED,
                                 "SSLv3/TLS write finished", "TWFIN"},
    [CS_DONE] = {"done", TLS_ST_OK, "SSL negotiation finished successfully", "SSLOK"},
    [SS_READ_CLIENT_HELLO] = {"read_client_hello", TLS_ST_SR_CLNT_HELLO,
                              "SSLv3/TLS read client hello", "TRCH"},
    [SS_SEND_HELLO_RETRY_REQUEST] = {"send_hello_retry_request", TLS_ST_SW_SRVR_HELLO,
                                     "SSLv3/TLS write server hello", "TWSH"},
    [SS_READ_SECOND_CLIENT_HELLO] = {"read_second_client_hello", TLS_ST_SR_CLNT_HELLO,
                                     "SSLv3/TLS read client hello", "TRCH"},
    [SS_SELECT_CERTIFICATE] = {"select_certificate", TLS_ST_SR_CLNT_HELLO,
                               "SSLv3/TLS read client hello", "TRCH"},
    [SS_SEND_SERVER_HELLO] = {"send_server_hello", TLS_ST_SW_SRVR_HELLO,
                              "SSLv3/TLS write server hello", "TWSH"},
    [SS_SEND_ENCRYPTED_EXTENSIONS] = {"send_encrypted_extensions", TLS_ST_SW_ENCRYPTED_EXTENSIONS,
                                      "TLSv1.3 write encrypted extensions", "TWEE"},
    [SS_SEND_CERTIFICATE_REQUEST] = {"send_certificate_request", TLS_ST_SW_CERT_REQ,
                                     "SSLv3/TLS write certificate request", "TWCR"},
    [SS_SEND_SERVER_CERTIFICATE] = {"send_server_certificate", TLS_ST_SW_CERT,
                                    "SSLv3/TLS write certificate", "TWSC"},
    [SS_SEND_SERVER_FINISHED] = {"send_server_finished", TLS_ST_SW_FINISHED,
                                 "SSLv3/TLS write finished", "TWFIN"},
    [SS_READ_CLIENT_CERTIFICATE] = {"read_client_certificate", TLS_ST_SR_CERT,
                                    "SSLv3/TLS read client certificate", "TRCC"},
    [SS_READ_CLIENT_CERTIFICATE_VERIFY] = {"read_client_certificate_verify", TLS_ST_SR_CERT_VRFY,
                                           "SSLv3/TLS read certificate verify", "TRCV"},
    [SS_READ_CLIENT_FINISHED] = {"read_client_finished", TLS_ST_SR_FINISHED,
                                 "SSLv3/TLS read finished", "TRFIN"},
    [SS_SEND_TICKETS] = {"send_tickets", TLS_ST_SW_SESSION_TICKET, "SSLv3/TLS write session ticket",
                         "TWST"},
    [SS_DONE] = {"done", TLS_ST_OK, "SSL negotiation finished successfully", "SSLOK"},
};

const struct hs_state_info *hs_state_info(int state)
{
    static const struct hs_state_info unknown = {"unknown", TLS_ST_BEFORE, "unknown state",
                                                 "UNKWN"};
    if (state < 0 || state >= HS_NUM_STATES || k_states[state].name == NULL)
        return &unknown;
    return &k_states[state];
}
