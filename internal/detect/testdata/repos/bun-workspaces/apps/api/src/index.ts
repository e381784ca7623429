import { Hono } from 'hono';
const app = new Hono();
export default { port: 4000, fetch: app.fetch };
