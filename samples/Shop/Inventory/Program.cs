using Shop.Inventory;

await InventoryService.Build(args).RunAsync();
