"""factory_boy factories shared by the whole suite (split per app when it grows)."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from portal.models import Agency, User


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency number {n}")
    kind = Agency.Kind.SCHOOL_DISTRICT
    region = "Capital"
    consortium = "Capital Adult Education Regional Consortium"
    caep_funded = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")
    password = factory.django.Password("a-long-test-password")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        for name in extracted or []:
            # get_or_create: a transactional test flushes the groups the migration made.
            obj.groups.add(Group.objects.get_or_create(name=name)[0])


def coordinator(**kwargs) -> User:
    return UserFactory(groups=["Coordinators"], **kwargs)


def finance(**kwargs) -> User:
    return UserFactory(groups=["Finance"], **kwargs)


def state_office(**kwargs) -> User:
    return UserFactory(groups=["State office"], **kwargs)


# Staff sign in with a second factor; a test signs them in with this one already set up.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def with_totp(user: User) -> User:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, TOTP_SECRET)
    return user
