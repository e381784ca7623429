import express from 'express';

const app = express();
const port = process.env.PORT || 5001;
app.get('/status', (_req, res) => res.json({ ok: true }));
app.listen(port);
