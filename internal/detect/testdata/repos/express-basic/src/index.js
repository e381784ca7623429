const express = require('express');
const cors = require('cors');

const app = express();
app.use(cors());
app.use(express.json());

app.get('/orders', (req, res) => res.json([]));

app.listen(4000, () => {
  console.log('orders-api listening on 4000');
});
