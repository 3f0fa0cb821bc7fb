using System.Net;
using System.Text;

namespace Herald.Server.Tests;

public sealed class RequestLimitTests
{
    [Fact]
    public async Task A_body_over_the_request_limit_is_refused_with_413_and_the_server_goes_on()
    {
        var server = new ServerUnderTest { ConfigureHttp = http => http with { MaxRequestBytes = 64 * 1024 } };
        await server.InitializeAsync();
        try
        {
            var topic = await server.CreateTopicAsync();
            var big = "{\"value\":\"" + new string('x', 200_000) + "\",\"valueFormat\":\"string\"}";

            using (var response = await server.Http.PostAsync($"/api/v1/topics/{topic}/records", new StringContent(big, Encoding.UTF8, "application/json")))
            {
                Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            }

            await server.SendJsonAsync(HttpMethod.Post, $"/api/v1/topics/{topic}/records", new { value = 1 });
            Assert.Equal(1, (await server.GetJsonAsync($"/api/v1/topics/{topic}")).GetProperty("partitions")[0].GetProperty("endOffset").GetInt64());
        }
        finally
        {
            await server.DisposeAsync();
        }
    }
}
