export { Monitoring, type MonitoringProps, type MonitoringSettings } from "./monitoring.js";
