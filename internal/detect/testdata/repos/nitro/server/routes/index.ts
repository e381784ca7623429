export default eventHandler(() => ({ nitro: 'Is Awesome!' }));
