const { Worker } = require('bullmq');
new Worker('mail', async () => {});
