using Shop.Analytics;

await AnalyticsService.Build(args).RunAsync();
