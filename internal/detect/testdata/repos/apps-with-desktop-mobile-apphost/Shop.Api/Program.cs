var app = WebApplication.CreateBuilder(args).Build();
app.MapGet("/weather", () => "sunny");
app.Run();
