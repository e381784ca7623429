const { withNx } = require('@nx/next');
module.exports = withNx({});
