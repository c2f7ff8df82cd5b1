from django.contrib.auth import views as auth_views
from django.urls import include, path

from steward.web import views, views_account, views_audit, views_auth

urlpatterns = [
    path("", views.home, name="home"),
    path("switch-client/", views.switch_client, name="switch_client"),
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("login/code/", views_auth.otp_verify, name="otp_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", views_account.account, name="account"),
    path(
        "account/password/",
        views_account.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("account/tokens/", views_account.tokens, name="tokens"),
    path(
        "account/tokens/<int:token_id>/revoke/",
        views_account.revoke_token,
        name="token_revoke",
    ),
    path("account/two-factor/", views_account.otp_settings, name="otp_settings"),
    path("account/two-factor/setup/", views_account.otp_setup, name="otp_setup"),
    path("account/two-factor/remove/", views_account.otp_remove, name="otp_remove"),
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/verify/", views_audit.verify, name="audit_verify"),
    path("", include("steward.tenancy.urls")),
]
