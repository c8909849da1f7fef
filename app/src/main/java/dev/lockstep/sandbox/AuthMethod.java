package dev.lockstep.sandbox;

/** The password methods a pg_hba.conf rule of the sandbox can ask for. */
public enum AuthMethod {
    MD5("md5"),
    SCRAM_SHA_256("scram-sha-256");

    private final String hbaName;

    AuthMethod(String hbaName) {
        this.hbaName = hbaName;
    }

    /** The method's name in pg_hba.conf. */
    public String hbaName() {
        return hbaName;
    }
}
