using Shop.Orders;

await OrdersService.Build(args).RunAsync();
