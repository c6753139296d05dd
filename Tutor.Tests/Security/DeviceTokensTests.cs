using Tutor.Contracts.Families;
using Tutor.Gateway.Families;

namespace Tutor.Tests.Security;

/// <summary>Device secrets as stored: a damaged record refuses only its own device, never throws, never lets another in.</summary>
public sealed class DeviceTokensTests
{
    [Fact]
    public void A_stored_secret_whose_hash_is_damaged_refuses_its_device_and_leaves_the_childs_other_devices_working()
    {
        var (good, goodStored) = DeviceTokens.Issue(TimeProvider.System);
        var (damaged, damagedStored) = DeviceTokens.Issue(TimeProvider.System);
        var child = new ChildProfile("child-d", "D", 6, "es", "en", "beginner", ["parent-d"],
            [damagedStored with { Sha256 = "not hex: a record edited by hand" }, goodStored]);

        Assert.False(DeviceTokens.Verify(child, damaged));
        Assert.True(DeviceTokens.Verify(child, good));
    }

    [Fact]
    public void A_secret_recorded_twice_still_lets_its_device_in_and_a_revoked_copy_does_not()
    {
        // A write retried after a timeout can leave the same secret twice in a profile.
        var (token, stored) = DeviceTokens.Issue(TimeProvider.System);

        Assert.True(DeviceTokens.Verify(new ChildProfile("child-t", "T", 6, "es", "en", "beginner", ["parent-t"], [stored, stored]), token));
        Assert.False(DeviceTokens.Verify(new ChildProfile("child-t", "T", 6, "es", "en", "beginner", ["parent-t"], [stored with { Revoked = true }]), token));
    }
}
