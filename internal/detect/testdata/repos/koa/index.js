const Koa = require('koa');
const Router = require('@koa/router');

const app = new Koa();
const router = new Router();
router.get('/ping', (ctx) => { ctx.body = 'pong'; });
app.use(router.routes());

const PORT = process.env.PORT || 5050;
app.listen(PORT);
