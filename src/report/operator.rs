//! Who had the robot run: `--operator`, else the OS user (`$USER`, else the password database).

/// The OS user running the robot: `$USER` (or `$LOGNAME`), else the name of the real user id.
pub fn os_user() -> Option<String> {
    for var in ["USER", "LOGNAME"] {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.trim().is_empty()) {
            return Some(v);
        }
    }
    passwd_name()
}

#[cfg(unix)]
fn passwd_name() -> Option<String> {
    // SAFETY: getpwuid returns a pointer into static storage (or null); the name is copied out
    // at once. The robot calls this once, before any other thread uses the password database.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if pw.is_null() || (*pw).pw_name.is_null() {
            return None;
        }
        let name = std::ffi::CStr::from_ptr((*pw).pw_name).to_string_lossy().into_owned();
        (!name.is_empty()).then_some(name)
    }
}

#[cfg(not(unix))]
fn passwd_name() -> Option<String> {
    std::env::var("USERNAME").ok()
}

#[cfg(test)]
mod tests {
    #[test]
    #[cfg(unix)]
    fn the_password_database_names_the_user() {
        assert!(super::passwd_name().is_some_and(|n| !n.is_empty()));
    }
}
