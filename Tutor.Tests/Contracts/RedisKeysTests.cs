using Tutor.Contracts.Redis;

namespace Tutor.Tests.Contracts;

/// <summary>
/// The relay's session check: a gateway plays and deletes only reply audio of the session it relays for
/// (<c>response:{session_id}:{uuid}</c>), whatever key an event names.
/// </summary>
public sealed class RedisKeysTests
{
    [Theory]
    [InlineData("response:s-1:0b6c", "s-1", true)]
    [InlineData("response:s-1:0b6c", "s-12", false)]   // another session whose id starts the same
    [InlineData("response:s-12:0b6c", "s-1", false)]
    [InlineData("audio:s-1:0b6c", "s-1", false)]       // the child's own utterance, not a reply
    [InlineData("responses:s-1:0b6c", "s-1", false)]
    [InlineData("Response:s-1:0b6c", "s-1", false)]
    [InlineData("xresponse:s-1:0b6c", "s-1", false)]
    [InlineData("response:s-1", "s-1", false)]         // no uuid
    [InlineData("response:s-1:0b6c:more", "s-1", false)]
    [InlineData("response::0b6c", "", false)]          // no session at all
    [InlineData("history:s-1:0b6c", "s-1", false)]
    public void Only_reply_audio_of_that_very_session_is_its_own(string key, string sessionId, bool own) =>
        Assert.Equal(own, RedisKeys.IsReplyAudioOf(key, sessionId));

    [Fact]
    public void A_key_names_its_session_and_its_turn_only_in_the_documented_shape()
    {
        var utterance = RedisKeys.NewUtteranceAudio("s-1");
        var reply = RedisKeys.NewReplyAudio("s-1");

        Assert.Equal(("s-1", "s-1"), (RedisKeys.SessionOf(utterance), RedisKeys.SessionOf(reply)));
        Assert.Equal("0b6c", RedisKeys.TurnIdOf("audio:s-1:0b6c"));
        Assert.True(Guid.TryParse(RedisKeys.TurnIdOf(utterance), out _));
        Assert.NotEqual(RedisKeys.TurnIdOf(utterance), RedisKeys.TurnIdOf(RedisKeys.NewUtteranceAudio("s-1")));
        Assert.Null(RedisKeys.SessionOf("session:s-1:0b6c"));
        Assert.Null(RedisKeys.SessionOf("audio:s-1"));
        Assert.Null(RedisKeys.SessionOf("audio::0b6c"));
        Assert.Null(RedisKeys.SessionOf("audio:s-1:0b6c:x"));
    }
}
