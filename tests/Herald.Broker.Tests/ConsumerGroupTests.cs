using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Herald.Broker.Tests;

/// <summary>The classic group protocol: joins, rebalances, timeouts, static members and commits across generations.</summary>
public sealed class ConsumerGroupTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Session = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Rebalance = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _clock = new();
    private HeraldBroker _broker = null!;

    public async Task InitializeAsync()
    {
        _broker = await HeraldBroker.StartAsync(new BrokerOptions { InMemory = true }, timeProvider: _clock).WaitAsync(Timeout);
        _broker.CreateTopic("orders", 2);
    }

    public async Task DisposeAsync() => await _broker.DisposeAsync();

    [Fact]
    public async Task A_new_member_first_gets_its_id_then_joins_as_leader()
    {
        var first = await Join("", client: "shop");
        Assert.Equal(ErrorCode.MemberIdRequired, first.Error);
        Assert.StartsWith("shop-", first.MemberId, StringComparison.Ordinal);

        var joined = await Join(first.MemberId);

        Assert.Equal((ErrorCode.None, 1, "range"), (joined.Error, joined.GenerationId, joined.ProtocolName));
        Assert.Equal(joined.MemberId, joined.LeaderId);
        Assert.Equal([joined.MemberId], joined.Members.Select(m => m.MemberId));
    }

    [Fact]
    public async Task A_second_member_triggers_a_rebalance_and_the_leaders_assignment_reaches_everyone()
    {
        var a = await JoinAndSync("a");
        var bJoin = Join(await NewId(), protocols: ["range"], metadata: "b-meta");
        Assert.Equal(ErrorCode.RebalanceInProgress, _broker.Heartbeat("email", a.GenerationId, a.MemberId));
        Assert.False(bJoin.IsCompleted);

        var aJoin = await Join(a.MemberId);
        var b = await bJoin.WaitAsync(Timeout);

        Assert.Equal((2, 2), (aJoin.GenerationId, b.GenerationId));
        Assert.Equal(aJoin.MemberId, b.LeaderId);
        Assert.Equal(2, aJoin.Members.Count);
        Assert.Empty(b.Members);
        Assert.Equal("b-meta", Encoding.UTF8.GetString(aJoin.Members.Single(m => m.MemberId == b.MemberId).Metadata));

        var bSync = _broker.SyncGroupAsync("email", 2, b.MemberId, null, []);
        Assert.False(bSync.IsCompleted);
        var aSync = await _broker.SyncGroupAsync("email", 2, aJoin.MemberId, null, [(aJoin.MemberId, "p0"u8.ToArray()), (b.MemberId, "p1"u8.ToArray())]).WaitAsync(Timeout);

        Assert.Equal("p0", Encoding.UTF8.GetString(aSync.Assignment));
        Assert.Equal("p1", Encoding.UTF8.GetString((await bSync.WaitAsync(Timeout)).Assignment));
        Assert.Equal("Stable", _broker.DescribeGroup("email")!.State);
        Assert.Equal(ErrorCode.None, _broker.Heartbeat("email", 2, b.MemberId));
    }

    [Fact]
    public async Task The_protocol_is_one_every_member_supports()
    {
        var a = await Join(await NewId(), protocols: ["range", "roundrobin"]);
        var bJoin = Join(await NewId(), protocols: ["roundrobin", "range"]);
        var cJoin = Join(await NewId(), protocols: ["cooperative-sticky"]);

        Assert.Equal(ErrorCode.InconsistentGroupProtocol, (await cJoin.WaitAsync(Timeout)).Error);
        var aAgain = await Join(a.MemberId, protocols: ["roundrobin"]);
        var b = await bJoin.WaitAsync(Timeout);
        Assert.Equal(("roundrobin", "roundrobin"), (aAgain.ProtocolName, b.ProtocolName));
    }

    [Fact]
    public async Task A_silent_member_is_removed_after_its_session_timeout()
    {
        var a = await JoinAndSync("a");
        var bId = await NewId();
        var bJoin = Join(bId);
        var aJoin = await Join(a.MemberId);
        await bJoin.WaitAsync(Timeout);
        await SyncAll(aJoin, bId);

        _clock.Advance(Session / 2);
        Assert.Equal(ErrorCode.None, _broker.Heartbeat("email", 2, aJoin.MemberId));
        _clock.Advance(Session / 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(ErrorCode.RebalanceInProgress, _broker.Heartbeat("email", 2, aJoin.MemberId));
        Assert.Equal(ErrorCode.UnknownMemberId, _broker.Heartbeat("email", 2, bId));
        var alone = await Join(aJoin.MemberId);
        Assert.Equal((3, 1), (alone.GenerationId, alone.Members.Count));
    }

    [Fact]
    public async Task Members_that_do_not_rejoin_within_the_rebalance_timeout_are_dropped()
    {
        var a = await JoinAndSync("a");
        var bId = await NewId();
        var bJoin = Join(bId);
        await Join(a.MemberId);
        var b = await bJoin.WaitAsync(Timeout);
        await SyncAll(await Task.FromResult(b with { Members = [] }), a.MemberId);

        var cJoin = Join(await NewId());
        var aJoin = Join(a.MemberId);
        _clock.Advance(Rebalance + TimeSpan.FromSeconds(1));

        var aResult = await aJoin.WaitAsync(Timeout);
        Assert.Equal(2, aResult.Members.Count);
        Assert.DoesNotContain(aResult.Members, m => m.MemberId == bId);
        Assert.Equal(ErrorCode.None, (await cJoin.WaitAsync(Timeout)).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _broker.Heartbeat("email", aResult.GenerationId, bId));
    }

    [Fact]
    public async Task A_member_that_leaves_starts_a_rebalance_for_the_others()
    {
        var a = await JoinAndSync("a");
        var bId = await NewId();
        var bJoin = Join(bId);
        var aJoin = await Join(a.MemberId);
        await bJoin.WaitAsync(Timeout);

        Assert.Equal(ErrorCode.None, _broker.LeaveGroup("email", bId));

        Assert.Equal(ErrorCode.RebalanceInProgress, _broker.Heartbeat("email", aJoin.GenerationId, aJoin.MemberId));
        Assert.Single((await Join(aJoin.MemberId)).Members);
        Assert.Equal(ErrorCode.UnknownMemberId, _broker.LeaveGroup("email", bId));
    }

    [Fact]
    public async Task A_static_member_that_restarts_keeps_its_assignment_without_a_rebalance()
    {
        var a = await Join("", instance: "worker-a");
        var bId = await NewId();
        var bJoin = Join(bId);
        var aJoin = await Join(a.MemberId, instance: "worker-a");
        var b = await bJoin.WaitAsync(Timeout);
        var leader = aJoin.LeaderId == aJoin.MemberId ? aJoin : b;
        await _broker.SyncGroupAsync("email", 2, leader.MemberId, leader == aJoin ? "worker-a" : null, [(aJoin.MemberId, "a-parts"u8.ToArray()), (b.MemberId, "b-parts"u8.ToArray())]).WaitAsync(Timeout);
        if (leader != aJoin)
        {
            await _broker.SyncGroupAsync("email", 2, aJoin.MemberId, "worker-a", []).WaitAsync(Timeout);
        }
        else
        {
            await _broker.SyncGroupAsync("email", 2, b.MemberId, null, []).WaitAsync(Timeout);
        }

        var restarted = await Join("", instance: "worker-a");

        Assert.Equal((ErrorCode.None, 2), (restarted.Error, restarted.GenerationId));
        Assert.NotEqual(aJoin.MemberId, restarted.MemberId);
        Assert.Equal(ErrorCode.None, _broker.Heartbeat("email", 2, b.MemberId));
        Assert.Equal(ErrorCode.FencedInstanceId, _broker.Heartbeat("email", 2, aJoin.MemberId, "worker-a"));
        var sync = await _broker.SyncGroupAsync("email", 2, restarted.MemberId, "worker-a", []).WaitAsync(Timeout);
        Assert.Equal("a-parts", Encoding.UTF8.GetString(sync.Assignment));
    }

    [Fact]
    public async Task Commits_are_checked_against_the_member_and_its_generation()
    {
        var a = await JoinAndSync("a");
        CommittedOffset[] offsets = [new(new("orders", 0), 0)];

        Assert.True(_broker.CommitOffsets("email", offsets, 1, a.MemberId, null).Succeeded);
        Assert.Equal(ErrorCode.UnknownMemberId, _broker.CommitOffsets("email", offsets, 1, "stranger", null).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, _broker.CommitOffsets("email", offsets).Error);

        // While the others rejoin, the old generation may still commit what it processed.
        var bId = await NewId();
        var bJoin = Join(bId);
        Assert.True(_broker.CommitOffsets("email", offsets, 1, a.MemberId, null).Succeeded);
        var aJoin = await Join(a.MemberId);
        await bJoin.WaitAsync(Timeout);
        Assert.Equal(ErrorCode.RebalanceInProgress, _broker.CommitOffsets("email", offsets, 2, a.MemberId, null).Error);
        await SyncAll(aJoin, bId);
        Assert.Equal(ErrorCode.IllegalGeneration, _broker.CommitOffsets("email", offsets, 1, a.MemberId, null).Error);
        Assert.True(_broker.CommitOffsets("email", offsets, 2, a.MemberId, null).Succeeded);
        Assert.Equal(ErrorCode.NonEmptyGroup, _broker.DeleteGroup("email").Error);
    }

    [Fact]
    public async Task Members_starting_together_settle_in_one_rebalance()
    {
        var aId = await NewId();
        var bId = await NewId();

        var aJoin = Join(aId);
        await Task.Delay(50);
        Assert.False(aJoin.IsCompleted); // b was given its id and is expected
        var b = await Join(bId);
        var a = await aJoin.WaitAsync(Timeout);

        Assert.Equal((1, 1), (a.GenerationId, b.GenerationId));
        Assert.Equal(2, (a.LeaderId == a.MemberId ? a : b).Members.Count);
    }

    [Fact]
    public async Task A_follower_rejoining_unchanged_keeps_the_generation_and_the_leader_rejoining_rebalances()
    {
        var a = await JoinAndSync("a");
        var bId = await NewId();
        var bJoin = Join(bId);
        var aJoin = await Join(a.MemberId);
        var b = await bJoin.WaitAsync(Timeout);
        await SyncAll(aJoin, bId);
        var follower = aJoin.LeaderId == aJoin.MemberId ? b : aJoin;
        var leader = follower == b ? aJoin : b;

        var again = await Join(follower.MemberId);

        Assert.Equal((ErrorCode.None, 2), (again.Error, again.GenerationId));
        Assert.Equal(ErrorCode.None, _broker.Heartbeat("email", 2, leader.MemberId));
        var leaderAgain = Join(leader.MemberId);
        Assert.Equal(ErrorCode.RebalanceInProgress, _broker.Heartbeat("email", 2, follower.MemberId));
        await Join(follower.MemberId);
        Assert.Equal(3, (await leaderAgain.WaitAsync(Timeout)).GenerationId);
    }

    [Fact]
    public async Task An_expected_member_that_never_comes_back_does_not_hold_up_the_others()
    {
        await NewId();
        var aJoin = Join(await NewId());
        Assert.False(aJoin.IsCompleted);

        _clock.Advance(Session + TimeSpan.FromSeconds(1));

        var a = await aJoin.WaitAsync(Timeout);
        Assert.Single(a.Members);
    }

    [Fact]
    public async Task A_static_member_rejoining_with_an_old_id_is_fenced()
    {
        var first = await Join("", instance: "worker-a");
        var restarted = await Join("", instance: "worker-a");

        var stale = await Join(first.MemberId, instance: "worker-a");

        Assert.NotEqual(first.MemberId, restarted.MemberId);
        Assert.Equal(ErrorCode.FencedInstanceId, stale.Error);
    }

    [Fact]
    public async Task Commit_metadata_over_4_KiB_is_refused()
    {
        var result = _broker.CommitOffsets("email", [new(new("orders", 0), 0, new string('m', 4097))]);

        Assert.Equal(ErrorCode.OffsetMetadataTooLarge, result.Error);
        Assert.True(_broker.CommitOffsets("email", [new(new("orders", 0), 0, new string('m', 4096))]).Succeeded);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Session_timeouts_outside_the_brokers_range_are_refused()
    {
        var result = await _broker.JoinGroupAsync(new MemberJoinRequest("email", "", null, "consumer", [new("range", [])], TimeSpan.FromSeconds(1), Rebalance)).WaitAsync(Timeout);
        Assert.Equal(ErrorCode.InvalidSessionTimeout, result.Error);
    }

    private Task<JoinGroupResult> Join(string memberId, string? instance = null, string client = "client", string[]? protocols = null, string metadata = "") =>
        _broker.JoinGroupAsync(new MemberJoinRequest("email", memberId, instance, "consumer", [.. (protocols ?? ["range"]).Select(p => new GroupProtocol(p, Encoding.UTF8.GetBytes(metadata)))], Session, Rebalance, ClientId: client)).WaitAsync(Timeout);

    private async Task<string> NewId() => (await Join("")).MemberId;

    private async Task<JoinGroupResult> JoinAndSync(string client)
    {
        var joined = await Join((await Join("", client: client)).MemberId, client: client);
        await _broker.SyncGroupAsync("email", joined.GenerationId, joined.MemberId, null, [(joined.MemberId, []) ]).WaitAsync(Timeout);
        return joined;
    }

    private async Task SyncAll(JoinGroupResult leader, string otherMemberId)
    {
        var other = _broker.SyncGroupAsync("email", leader.GenerationId, otherMemberId, null, []);
        await _broker.SyncGroupAsync("email", leader.GenerationId, leader.LeaderId, null, []).WaitAsync(Timeout);
        await other.WaitAsync(Timeout);
    }
}
