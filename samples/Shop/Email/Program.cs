using Shop.Email;

await EmailService.Build(args).RunAsync();
