export { FrontProxy, type FrontProxyProps } from "./front-proxy.js";
export { DEFAULT_NGINX_LAYOUT, type FrontProxySettings, type NginxLayout } from "./layout.js";
export { AdminEntry, type AdminEntryOptions, type AdminUpstream, type AdminUpstreamOptions } from "./admin.js";
export { ERROR_PAGE_KEYS, type ErrorPageKey, type ErrorPages } from "./error-pages.js";
