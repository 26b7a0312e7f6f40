export { createAdminApp, ADMIN_SERVICE_NAME, type AdminAppDeps } from './admin-app.js';
export { errorBody, type ErrorBody } from './error-body.js';
export { buildMetricsJson, type MetricsJson } from './openai-metrics-json.js';
