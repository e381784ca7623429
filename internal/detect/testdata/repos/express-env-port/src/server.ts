import express from 'express';

const app = express();
const port = Number(process.env.PORT || 3001);

app.get('/healthz', (_req, res) => res.send('ok'));
app.post('/notify', (_req, res) => res.status(202).end());

app.listen(port, () => console.log(`listening on ${port}`));
