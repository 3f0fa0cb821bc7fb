using System.Text.RegularExpressions;
using Confluent.Kafka;
using Herald.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Herald.Server.Tests;

public sealed class ConsoleBrowserTests(BrowserUnderTest browser) : IClassFixture<BrowserUnderTest>
{
    private ServerUnderTest Server => browser.Server;

    [Fact]
    public async Task A_topic_is_created_produced_to_and_its_message_found_with_a_filter()
    {
        var (page, errors) = await browser.OpenAsync();
        var name = ServerUnderTest.NewTopic("ui");
        await page.GotoAsync("/");
        await page.GetByLabel("New topic").FillAsync(name);
        await page.GetByLabel("Partitions").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create topic" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync($"Created topic '{name}'");
        await BrowserUnderTest.ScreenshotAsync(page, "overview");

        await page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Produce" }).ClickAsync();

        // Scoped to the produce form: until the tab has rendered, the messages tab's own Key field is on the page.
        var produce = page.GetByRole(AriaRole.Form, new() { Name = "Produce" });
        await produce.GetByLabel("Key").FillAsync("order-42");
        await produce.GetByLabel("Headers").FillAsync("ce_type: OrderPlaced.v1");
        await produce.GetByLabel("Value (JSON, or text)").FillAsync("{\"orderId\": 42, \"note\": \"gift wrap\"}");
        await produce.GetByRole(AriaRole.Button, new() { Name = "Produce" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("at offset 0");
        await produce.GetByLabel("Key").FillAsync("order-43");
        await produce.GetByLabel("Value (JSON, or text)").FillAsync("{\"orderId\": 43}");
        await produce.GetByRole(AriaRole.Button, new() { Name = "Produce" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Produced");
        await BrowserUnderTest.ScreenshotAsync(page, "produce");

        await page.GetByRole(AriaRole.Link, new() { Name = "Messages" }).ClickAsync();
        await Expect(page.Locator("#records details")).ToHaveCountAsync(2);
        await page.GetByLabel("Body contains").FillAsync("GIFT");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Expect(page.Locator("#records details")).ToHaveCountAsync(1);
        await Expect(page.Locator("#records details summary")).ToContainTextAsync("key order-42");
        await Expect(page.Locator("#records details summary")).ToContainTextAsync("OrderPlaced.v1");
        await page.Locator("#records details summary").ClickAsync();
        await Expect(page.GetByLabel("value")).ToContainTextAsync("\"note\": \"gift wrap\"");
        await BrowserUnderTest.ScreenshotAsync(page, "topic-messages");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_groups_lag_falls_on_screen_as_its_consumer_runs()
    {
        var topic = await Server.CreateTopicAsync();
        var group = ServerUnderTest.NewTopic("ui-group");
        await Server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = Enumerable.Range(0, 300).Select(i => new { value = i }) });
        using (var committer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = Server.Bootstrap, GroupId = group }).Build())
        {
            committer.Commit([new TopicPartitionOffset(topic, 0, 0)]);
        }

        var (page, errors) = await browser.OpenAsync();
        await page.GotoAsync("/#/groups");
        await page.GetByRole(AriaRole.Link, new() { Name = group }).ClickAsync();
        await Expect(page.Locator("#group-lag")).ToHaveTextAsync("300");

        using (var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = Server.Bootstrap, GroupId = group, EnableAutoCommit = false }).Build())
        {
            consumer.Subscribe(topic);
            var read = 0;
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (read < 300 && DateTime.UtcNow < deadline)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } result)
                {
                    read++;
                    if (read % 50 == 0)
                    {
                        consumer.Commit(result);
                        await Task.Delay(400); // slowly, so the page sees the lag fall in steps
                    }
                }
            }

            await Expect(page.Locator("#group-lag")).ToHaveTextAsync("0", new() { Timeout = 30_000 });
            consumer.Close();
        }

        await BrowserUnderTest.ScreenshotAsync(page, "group");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_dead_letter_is_redriven_from_the_page_and_the_count_goes_down()
    {
        var topic = await Server.CreateTopicAsync();
        var dlq = $"{topic}.billing.dlq";
        await Server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { records = new object[] { new { key = "a", value = new { broken = 1 } }, new { key = "b", value = new { broken = 2 } } } });
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddHerald(h => h.UseKafka(Server.Bootstrap).MapTopic<GroupsAndDeadLettersApiTests.Noticed>(topic)).AddConsumer<GroupsAndDeadLettersApiTests.NoticeHandler>(topic, "billing");
        using (var host = builder.Build())
        {
            await host.StartAsync();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!(await Server.Http.GetAsync($"/api/v1/dead-letters/{dlq}")).IsSuccessStatusCode || (await Server.GetJsonAsync($"/api/v1/dead-letters/{dlq}")).GetArrayLength() < 2)
            {
                Assert.True(DateTime.UtcNow < deadline, "the consumer never dead-lettered the records");
                await Task.Delay(100);
            }

            await host.StopAsync();
        }

        var (page, errors) = await browser.OpenAsync();
        page.Dialog += (_, dialog) => dialog.AcceptAsync();
        await page.GotoAsync("/#/dead-letters");
        await page.GetByRole(AriaRole.Link, new() { Name = dlq }).ClickAsync();
        await Expect(page.Locator("#dead-letter-count")).ToHaveTextAsync("2");
        await BrowserUnderTest.ScreenshotAsync(page, "dead-letters");

        await page.GetByRole(AriaRole.Button, new() { Name = "Redrive" }).First.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Redrove 1 letter(s)");
        await Expect(page.Locator("#dead-letter-count")).ToHaveTextAsync("1");
        Assert.Equal(3, (await Server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions")[0].GetProperty("endOffset").GetInt64());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_correlation_id_is_looked_up_across_topics_in_time_order()
    {
        var orders = await Server.CreateTopicAsync(prefix: "orders");
        var emails = await Server.CreateTopicAsync(prefix: "emails");
        var correlation = "order-" + Guid.NewGuid().ToString("N")[..8];
        var at = DateTimeOffset.UtcNow;
        foreach (var (topic, type, offset) in new[] { (orders, "OrderPlaced.v1", 0), (orders, "OrderPaid.v1", 5), (emails, "EmailSent.v1", 9) })
        {
            await Server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = new { correlation }, timestamp = at.AddMilliseconds(offset), headers = new Dictionary<string, string> { ["ce_correlationid"] = correlation, ["ce_type"] = type } });
        }

        var (page, errors) = await browser.OpenAsync();
        await page.GotoAsync("/#/trace");
        await page.GetByLabel("Correlation id or trace id").FillAsync(correlation);
        await page.GetByRole(AriaRole.Button, new() { Name = "Look up" }).ClickAsync();
        var items = page.Locator("#trace ol > li");
        await Expect(items).ToHaveCountAsync(3);
        await Expect(items.Nth(0)).ToContainTextAsync("OrderPlaced.v1");
        await Expect(items.Nth(1)).ToContainTextAsync("OrderPaid.v1");
        await Expect(items.Nth(2)).ToContainTextAsync(emails);
        await BrowserUnderTest.ScreenshotAsync(page, "trace");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_live_tail_shows_new_messages_as_they_arrive()
    {
        var topic = await Server.CreateTopicAsync();
        var (page, errors) = await browser.OpenAsync();
        await page.GotoAsync($"/#/tail/{topic}");
        await Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Live");
        for (var i = 0; i < 3; i++)
        {
            await Server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { key = $"live-{i}", value = new { i } });
        }

        await Expect(page.Locator("#tail details")).ToHaveCountAsync(3);
        await Expect(page.Locator("#tail details").First).ToContainTextAsync("key live-2"); // newest on top
        await BrowserUnderTest.ScreenshotAsync(page, "tail");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_page_left_before_its_data_arrived_does_not_overwrite_the_next_one()
    {
        var (page, errors) = await browser.OpenAsync();
        await page.RouteAsync("**/api/v1/groups?*", async route =>
        {
            await Task.Delay(700); // a slow answer, arriving after the user moved on
            await route.ContinueAsync();
        });
        await page.GotoAsync("/#/trace");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Trace lookup");

        await page.EvaluateAsync("() => { location.hash = '#/groups'; }");
        await page.WaitForTimeoutAsync(100);
        await page.EvaluateAsync("() => { location.hash = '#/trace'; }");
        await page.WaitForTimeoutAsync(1500);
        await Expect(page.Locator("h1")).ToHaveTextAsync("Trace lookup");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task On_a_phone_the_pages_fit_the_screen_and_the_keyboard_reaches_every_section()
    {
        await Server.CreateTopicAsync(prefix: "phone");
        var (page, errors) = await browser.OpenAsync(390, 844);
        foreach (var route in new[] { "/", "/#/groups", "/#/dead-letters", "/#/trace", "/#/streams" })
        {
            await page.GotoAsync(route);
            await Expect(page.Locator("h1")).ToBeVisibleAsync();
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            Assert.False(overflow, $"{route} is wider than a phone's screen");
        }

        await BrowserUnderTest.ScreenshotAsync(page, "phone-trace");
        await page.GotoAsync("/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Overview");
        for (var i = 0; i < 4 && await page.EvaluateAsync<string>("() => document.activeElement?.textContent ?? ''") != "Groups"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await Expect(page.Locator(":focus")).ToHaveTextAsync("Groups");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/groups$"));
        await Expect(page.Locator("h1")).ToHaveTextAsync("Consumer groups");

        // The event store page says what is missing rather than failing.
        await page.GotoAsync("/#/streams");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("--event-store");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task A_server_open_to_anyone_says_so_on_the_overview_and_a_local_one_does_not()
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-console-open-" + Guid.NewGuid().ToString("N"));
        var options = new HeraldServerOptions
        {
            Broker = Broker.BrokerOptions.Default with { DataDirectory = directory },
            Kafka = Kafka.KafkaServerOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
            Http = HttpOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0) },
            AllowAnonymous = true,
        };
        await using (var server = await HeraldServer.StartAsync(options, logging => logging.SetMinimumLevel(LogLevel.Warning)))
        {
            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.HttpAddress!.ToString() });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("accepts anyone who can reach it");
            await context.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
        var (local, errors) = await browser.OpenAsync();
        await local.GotoAsync("/");
        await Expect(local.Locator("#topics tbody tr").First).ToBeVisibleAsync(); // drawn by the same load as the warning
        await Expect(local.Locator("#anonymous-warning")).ToHaveCountAsync(0);
        Assert.Empty(errors);
    }

    [Fact]
    public async Task The_event_store_page_lists_streams_and_shows_a_streams_events()
    {
        var directory = Path.Combine(Path.GetTempPath(), "herald-console-store-" + Guid.NewGuid().ToString("N"));
        await using (var store = EventSourcing.EmbeddedEventStore.Open(new EventSourcing.EmbeddedEventStoreOptions { Directory = Path.Combine(directory, "events") }))
        {
            await store.AppendAsync("order-42", EventSourcing.ExpectedVersion.NoStream, [
                new EventSourcing.EventData(Guid.CreateVersion7(), "OrderPlaced.v1", "{\"total\": 12}"u8.ToArray()) { CorrelationId = "order-42" },
                new EventSourcing.EventData(Guid.CreateVersion7(), "OrderShipped.v1", "{\"carrier\": \"dhl\"}"u8.ToArray()) { CorrelationId = "order-42" },
            ]);
        }

        var options = new HeraldServerOptions
        {
            Broker = Broker.BrokerOptions.Default with { DataDirectory = Path.Combine(directory, "data") },
            Kafka = Kafka.KafkaServerOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
            Http = HttpOptions.Default with { Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0) },
            EventStore = new EventStoreOptions { Directory = Path.Combine(directory, "events") },
        };
        await using (var server = await HeraldServer.StartAsync(options, logging => logging.SetMinimumLevel(LogLevel.Warning)))
        {
            var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.HttpAddress!.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") { errors.Add(message.Text); } };
            await page.GotoAsync("/#/streams");
            await page.GetByRole(AriaRole.Link, new() { Name = "order-42" }).ClickAsync();
            await Expect(page.Locator("details.record")).ToHaveCountAsync(2);
            await Expect(page.Locator("details.record").Nth(1)).ToContainTextAsync("OrderShipped.v1");
            await page.Locator("details.record summary").Nth(1).ClickAsync();
            await Expect(page.Locator("details.record").Nth(1)).ToContainTextAsync("\"carrier\": \"dhl\"");
            await BrowserUnderTest.ScreenshotAsync(page, "event-store");
            Assert.Empty(errors);
            await context.DisposeAsync();
        }

        Directory.Delete(directory, recursive: true);
    }
}
