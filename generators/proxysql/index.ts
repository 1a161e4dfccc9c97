export { ProxySql, type ProxySqlCredentials, type ProxySqlProps } from "./proxysql.js";
