module.exports = { extends: ['next'] };
