module.exports = {
  siteMetadata: { title: 'My Blog' },
  plugins: ['gatsby-plugin-image'],
};
