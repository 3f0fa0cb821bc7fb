using Shop.Users;

await UsersService.Build(args).RunAsync();
