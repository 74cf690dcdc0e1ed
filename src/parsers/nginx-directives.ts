/**
 * What the nginx parser needs to know about directives to report the errors nginx reports while
 * reading a file: which directives open a block (`has no opening "{"` when one ends with `;`) and
 * which never do (`is not terminated by ";"` when one ends with `{`). Names it does not know
 * (third-party modules) are left alone.
 */

/**
 * Directives that always open a block, whatever they are nested in (ngx_command_t with NGX_CONF_BLOCK).
 * `server` is left out because inside `upstream` it is a plain directive; see blockKind.
 */
const BLOCK_DIRECTIVES: ReadonlySet<string> = new Set([
  'events', 'http', 'stream', 'mail', 'location', 'upstream', 'map', 'geo', 'types', 'if',
  'limit_except', 'split_clients', 'charset_map', 'match',
]);

/**
 * Blocks whose contents nginx hands to a custom handler (cf->handler) as key/value lines; a nested
 * `{` there is `unexpected "{"` (ngx_conf_parse).
 */
export const HANDLER_BLOCKS: ReadonlySet<string> = new Set(['types', 'map', 'geo', 'split_clients', 'charset_map']);

/** `server` opens a block in these contexts and is a plain directive inside `upstream`. */
const SERVER_BLOCK_PARENTS: ReadonlySet<string> = new Set(['http', 'stream', 'mail']);

/**
 * Common directives of the official modules that never take a block: the ones Django stacks use,
 * from nginx.org's directive index. Not exhaustive; an unknown name is simply not judged.
 */
const SIMPLE_DIRECTIVES: ReadonlySet<string> = new Set([
  // core and events
  'user', 'worker_processes', 'worker_rlimit_nofile', 'worker_cpu_affinity', 'worker_priority',
  'worker_shutdown_timeout', 'worker_rlimit_core', 'working_directory', 'error_log', 'pid', 'daemon',
  'master_process', 'include', 'load_module', 'env', 'pcre_jit', 'thread_pool', 'timer_resolution',
  'lock_file', 'worker_connections', 'use', 'multi_accept', 'accept_mutex', 'accept_mutex_delay',
  'debug_connection', 'worker_aio_requests',
  // http core
  'listen', 'server_name', 'root', 'alias', 'index', 'autoindex', 'try_files', 'return', 'rewrite',
  'set', 'break', 'error_page', 'default_type', 'sendfile', 'sendfile_max_chunk', 'tcp_nopush',
  'tcp_nodelay', 'keepalive_timeout', 'keepalive_requests', 'keepalive_time', 'keepalive_disable',
  'client_max_body_size', 'client_body_buffer_size', 'client_body_timeout', 'client_header_timeout',
  'client_header_buffer_size', 'large_client_header_buffers', 'client_body_temp_path',
  'client_body_in_file_only', 'send_timeout', 'server_tokens', 'access_log', 'log_format',
  'open_log_file_cache', 'open_file_cache', 'open_file_cache_valid', 'open_file_cache_min_uses',
  'open_file_cache_errors', 'resolver', 'resolver_timeout', 'charset', 'source_charset', 'expires',
  'add_header', 'add_trailer', 'internal', 'allow', 'deny', 'satisfy', 'auth_basic',
  'auth_basic_user_file', 'auth_request', 'auth_request_set', 'real_ip_header', 'set_real_ip_from',
  'real_ip_recursive', 'server_names_hash_bucket_size', 'server_names_hash_max_size',
  'types_hash_max_size', 'types_hash_bucket_size', 'variables_hash_max_size',
  'variables_hash_bucket_size', 'map_hash_max_size', 'map_hash_bucket_size', 'underscores_in_headers',
  'ignore_invalid_headers', 'reset_timedout_connection', 'absolute_redirect', 'port_in_redirect',
  'server_name_in_redirect', 'merge_slashes', 'log_not_found', 'log_subrequest', 'aio', 'directio',
  'output_buffers', 'postpone_output', 'chunked_transfer_encoding', 'etag', 'if_modified_since',
  'recursive_error_pages', 'lingering_close', 'lingering_time', 'lingering_timeout', 'limit_rate',
  'limit_rate_after', 'stub_status', 'ssi', 'sub_filter', 'sub_filter_once', 'sub_filter_types',
  'mirror', 'http2', 'http2_max_concurrent_streams', 'http2_push_preload', 'gunzip',
  // gzip
  'gzip', 'gzip_types', 'gzip_vary', 'gzip_proxied', 'gzip_comp_level', 'gzip_min_length',
  'gzip_static', 'gzip_disable', 'gzip_buffers', 'gzip_http_version',
  // proxy, uwsgi, fastcgi, grpc, scgi
  'proxy_pass', 'proxy_set_header', 'proxy_redirect', 'proxy_http_version', 'proxy_buffering',
  'proxy_buffers', 'proxy_buffer_size', 'proxy_busy_buffers_size', 'proxy_read_timeout',
  'proxy_send_timeout', 'proxy_connect_timeout', 'proxy_next_upstream', 'proxy_next_upstream_tries',
  'proxy_next_upstream_timeout', 'proxy_cache', 'proxy_cache_path', 'proxy_cache_valid',
  'proxy_cache_key', 'proxy_cache_bypass', 'proxy_no_cache', 'proxy_cache_use_stale',
  'proxy_cache_lock', 'proxy_hide_header', 'proxy_pass_header', 'proxy_ignore_headers',
  'proxy_intercept_errors', 'proxy_request_buffering', 'proxy_max_temp_file_size', 'proxy_temp_path',
  'proxy_headers_hash_max_size', 'proxy_headers_hash_bucket_size', 'proxy_ssl_verify',
  'proxy_ssl_server_name', 'proxy_ssl_name', 'proxy_set_body', 'proxy_pass_request_body',
  'proxy_pass_request_headers', 'proxy_cookie_path', 'proxy_cookie_domain', 'proxy_socket_keepalive',
  'uwsgi_pass', 'uwsgi_param', 'uwsgi_read_timeout', 'uwsgi_send_timeout', 'uwsgi_connect_timeout',
  'uwsgi_buffering', 'uwsgi_buffers', 'uwsgi_buffer_size', 'uwsgi_request_buffering',
  'uwsgi_next_upstream', 'uwsgi_intercept_errors', 'uwsgi_temp_path', 'uwsgi_max_temp_file_size',
  'fastcgi_pass', 'fastcgi_param', 'fastcgi_index', 'fastcgi_read_timeout', 'fastcgi_send_timeout',
  'fastcgi_connect_timeout', 'fastcgi_buffers', 'fastcgi_buffer_size', 'fastcgi_split_path_info',
  'fastcgi_intercept_errors', 'grpc_pass', 'grpc_set_header', 'grpc_read_timeout', 'scgi_pass',
  'scgi_param',
  // ssl
  'ssl_certificate', 'ssl_certificate_key', 'ssl_protocols', 'ssl_ciphers',
  'ssl_prefer_server_ciphers', 'ssl_session_cache', 'ssl_session_timeout', 'ssl_session_tickets',
  'ssl_dhparam', 'ssl_stapling', 'ssl_stapling_verify', 'ssl_trusted_certificate', 'ssl_ecdh_curve',
  'ssl_client_certificate', 'ssl_verify_client', 'ssl_verify_depth', 'ssl_buffer_size', 'ssl_early_data',
  'ssl_password_file', 'ssl_conf_command',
  // limits
  'limit_req', 'limit_req_zone', 'limit_req_status', 'limit_req_log_level', 'limit_req_dry_run',
  'limit_conn', 'limit_conn_zone', 'limit_conn_status', 'limit_conn_log_level',
  // upstream
  'keepalive', 'least_conn', 'ip_hash', 'hash', 'zone', 'random', 'queue', 'sticky',
]);

export type BlockKind = 'block' | 'simple' | undefined;

/** Whether nginx expects `name` inside `parent` to open a block; undefined when this table cannot tell. */
export function blockKind(name: string, parent: string | undefined): BlockKind {
  if (BLOCK_DIRECTIVES.has(name)) return 'block';
  if (name === 'server') {
    if (parent === undefined) return undefined;
    if (SERVER_BLOCK_PARENTS.has(parent)) return 'block';
    if (parent === 'upstream') return 'simple';
    return undefined;
  }
  return SIMPLE_DIRECTIVES.has(name) ? 'simple' : undefined;
}

/**
 * Names that may open a block this table does not know (top-level `server` in a conf.d snippet,
 * lua-nginx-module's `*_by_lua_block`), so a `{` after a line break is not taken for a missing `;`.
 */
export function mayOpenBlock(name: string, parent: string | undefined): boolean {
  const kind = blockKind(name, parent);
  if (kind !== undefined) return kind === 'block';
  return name === 'server' || name.endsWith('_block');
}
