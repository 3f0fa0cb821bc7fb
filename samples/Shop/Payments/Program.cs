using Shop.Payments;

await PaymentsService.Build(args).RunAsync();
