"""The C functions of libquire and their ctypes types (quire.h's declarations).

Generated from capi/quire.abi.json by scripts/gen_abi.py: do not edit, run scripts/quire gen.
"""

# fmt: off
from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_size_t, c_void_p
from typing import Any, Dict, Sequence, Tuple

#: The ABI this binding was written for: quire_abi_version() must return it.
ABI_VERSION = 1

_status = c_int32
_out = POINTER(c_void_p)  # char** and quire_xxx** out-parameters

# typedef quire_status (*quire_transaction_fn)(quire_ctx* tx, void* user_data);
TRANSACTION_FN = ctypes.CFUNCTYPE(_status, c_void_p, c_void_p)
# typedef void (*quire_write_fn)(const char* data, size_t size, void* user_data);
WRITE_FN = ctypes.CFUNCTYPE(None, c_void_p, c_size_t, c_void_p)

# name -> (restype, argtypes). Out-parameters come first, as in quire.h.
SIGNATURES: Dict[str, Tuple[Any, Sequence[Any]]] = {
    # library and errors
    "quire_library_version": (c_char_p, ()),
    "quire_abi_version": (c_int32, ()),
    "quire_last_error_code": (_status, ()),
    "quire_last_error_message": (c_char_p, ()),
    "quire_last_error_detail": (c_char_p, ()),
    "quire_last_error_json": (c_char_p, ()),
    "quire_status_name": (c_char_p, (_status,)),
    "quire_free": (None, (c_void_p,)),
    # database
    "quire_db_open": (_status, (_out, c_char_p, c_char_p)),
    "quire_db_migrate": (_status, (POINTER(c_int64), c_char_p, c_char_p)),
    "quire_db_close": (_status, (c_void_p,)),
    "quire_db_free": (None, (c_void_p,)),
    "quire_db_system": (_status, (_out, c_void_p, c_char_p)),
    "quire_db_context": (_status, (_out, c_void_p, c_char_p)),
    "quire_db_user_context": (_status, (_out, c_void_p, c_int64, c_char_p)),
    # sign-in: sessions and api keys
    "quire_db_login": (_status, (_out, _out, c_void_p, c_char_p, c_char_p, c_char_p, c_char_p)),
    "quire_db_context_from_token": (_status, (_out, c_void_p, c_char_p, c_char_p, c_char_p)),
    "quire_db_logout": (_status, (c_void_p, c_char_p)),
    "quire_db_context_from_key": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_db_rotate_token_secret": (_status, (c_void_p,)),
    # contexts and transactions
    "quire_ctx_free": (None, (c_void_p,)),
    "quire_ctx_with_request": (_status, (_out, c_void_p, c_char_p)),
    "quire_ctx_info": (_status, (_out, c_void_p)),
    "quire_ctx_transaction": (_status, (c_void_p, TRANSACTION_FN, c_void_p)),
    "quire_tx_begin": (_status, (_out, c_void_p)),
    "quire_tx_context": (_status, (_out, c_void_p)),
    "quire_tx_commit": (_status, (c_void_p,)),
    "quire_tx_rollback": (_status, (c_void_p,)),
    "quire_tx_free": (None, (c_void_p,)),
    # tenants
    "quire_tenant_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_get": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_get_by_domain": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_update": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_tenant_deactivate": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_activate": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_delete": (_status, (_out, c_void_p, c_char_p)),
    "quire_tenant_restore": (_status, (_out, c_void_p, c_char_p)),
    # memberships
    "quire_member_add": (_status, (_out, c_void_p, c_char_p, c_int64, c_char_p)),
    "quire_member_set_role": (_status, (_out, c_void_p, c_char_p, c_int64, c_char_p)),
    "quire_member_remove": (_status, (c_void_p, c_char_p, c_int64)),
    "quire_member_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_invitation_create": (_status, (_out, c_void_p, c_char_p, c_char_p, c_char_p)),
    "quire_invitation_list": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_invitation_revoke": (_status, (_out, c_void_p, c_char_p, c_int64)),
    "quire_invitation_accept": (_status, (_out, c_void_p, c_char_p)),
    # users
    "quire_user_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_get": (_status, (_out, c_void_p, c_int64)),
    "quire_user_get_by_username": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_user_update": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_user_set_password": (_status, (c_void_p, c_int64, c_char_p)),
    "quire_user_deactivate": (_status, (_out, c_void_p, c_int64)),
    "quire_user_activate": (_status, (_out, c_void_p, c_int64)),
    # posts
    "quire_post_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_get": (_status, (_out, c_void_p, c_int64)),
    "quire_post_get_by_slug": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_post_record_view": (_status, (_out, c_void_p, c_int64)),
    "quire_post_update": (_status, (_out, c_void_p, c_int64, c_int64, c_char_p)),
    "quire_post_submit": (_status, (_out, c_void_p, c_int64)),
    "quire_post_publish": (_status, (_out, c_void_p, c_int64)),
    "quire_post_unpublish": (_status, (_out, c_void_p, c_int64)),
    "quire_post_archive": (_status, (_out, c_void_p, c_int64)),
    "quire_post_schedule": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_post_publish_due": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_delete": (_status, (_out, c_void_p, c_int64)),
    "quire_post_restore": (_status, (_out, c_void_p, c_int64)),
    "quire_post_purge": (_status, (c_void_p, c_int64)),
    "quire_post_list": (_status, (_out, c_void_p, c_char_p)),
    "quire_post_search": (_status, (_out, c_void_p, c_char_p, c_int32)),
    "quire_post_categories": (_status, (_out, c_void_p)),
    "quire_post_tags": (_status, (_out, c_void_p)),
    "quire_post_feed": (_status, (_out, c_void_p, c_char_p, c_int32)),
    "quire_post_sitemap": (_status, (_out, c_void_p)),
    # versions
    "quire_version_list": (_status, (_out, c_void_p, c_int64)),
    "quire_version_get": (_status, (_out, c_void_p, c_int64, c_int64)),
    "quire_version_diff": (_status, (_out, c_void_p, c_int64, c_int64, c_int64)),
    "quire_version_snapshot": (_status, (_out, c_void_p, c_int64, c_char_p)),
    "quire_version_restore": (_status, (_out, c_void_p, c_int64, c_int64)),
    "quire_version_autosave": (_status, (_out, c_void_p, c_int64, c_char_p, c_char_p)),
    "quire_version_autosave_get": (_status, (_out, c_void_p, c_int64)),
    "quire_version_discard": (_status, (c_void_p, c_int64)),
    "quire_version_promote": (_status, (_out, c_void_p, c_int64, c_int64)),
    # audit
    "quire_audit_query": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_head": (_status, (_out, c_void_p)),
    "quire_audit_verify": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_export": (_status, (_out, c_void_p, c_char_p)),
    "quire_audit_export_to": (_status, (c_void_p, c_char_p, WRITE_FN, c_void_p)),
    "quire_audit_purge_before": (_status, (POINTER(c_int64), c_void_p, c_char_p)),
    # permissions
    "quire_permission_all": (_status, (_out,)),
    "quire_permission_check": (_status, (_out, c_void_p, c_char_p, c_char_p, c_char_p)),
    "quire_permission_grant": (_status, (_out, c_void_p, c_int64, c_char_p, c_char_p, c_char_p)),
    "quire_permission_revoke": (_status, (c_void_p, c_int64, c_char_p, c_char_p)),
    "quire_permission_roles": (_status, (_out, c_void_p)),
    "quire_permission_define_role": (_status, (_out, c_void_p, c_char_p, c_char_p)),
    "quire_permission_delete_role": (_status, (c_void_p, c_char_p)),
    # api keys
    "quire_key_create": (_status, (_out, c_void_p, c_char_p)),
    "quire_key_list": (_status, (_out, c_void_p)),
    "quire_key_revoke": (_status, (_out, c_void_p, c_int64)),
    "quire_key_rotate": (_status, (_out, c_void_p, c_int64)),
}
