namespace cartservice.services; public class CartService {}
