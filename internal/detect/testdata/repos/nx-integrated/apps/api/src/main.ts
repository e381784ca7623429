import express from 'express';

const app = express();
const port = process.env.PORT ? Number(process.env.PORT) : 3333;
app.get('/api', (req, res) => res.send({ message: 'Welcome to api!' }));
app.listen(port);
