import { computePayInPlainSignature, computePayInSignature } from "../../../../providers/payin/verify-signature"
import { signerOf } from "../payin-webhook"

/** The bare /hooks/payin with several PayIn accounts: the delivery belongs to the one whose secret signed it. */
describe("signer of a PayIn delivery among several registrations", () => {
  const body = Buffer.from(JSON.stringify({ id: "evt_1", type: "order.completed", data: { orderId: "ord_1" } }))
  const signers = [
    { providerId: "pp_payin_crypto", secret: "whsec_crypto" },
    { providerId: "pp_payin_wholesale", secret: "whsec_wholesale" },
    { providerId: "pp_payin_unconfigured", secret: undefined },
  ]
  const now = Math.floor(Date.now() / 1000)

  it("takes the registration whose secret signed the body, in either signature form", () => {
    const timestamped = `t=${now},v1=${computePayInSignature(body, now, "whsec_wholesale")}`
    expect(signerOf(body, timestamped, signers)).toMatchObject({ signer: { providerId: "pp_payin_wholesale" }, result: { verdict: "ok", form: "timestamped" } })
    expect(signerOf(body, computePayInPlainSignature(body, "whsec_crypto"), signers)).toMatchObject({ signer: { providerId: "pp_payin_crypto" }, result: { form: "plain" } })
  })

  it("refuses a signature no registration's secret made, and says replay when one did but too long ago", () => {
    expect(signerOf(body, computePayInPlainSignature(body, "whsec_other"), signers)).toEqual({ refusal: "signature_mismatch" })
    const old = now - 3600
    expect(signerOf(body, `t=${old},v1=${computePayInSignature(body, old, "whsec_crypto")}`, signers)).toEqual({ refusal: "timestamp_out_of_window" })
    expect(signerOf(body, computePayInPlainSignature(body, "whsec_crypto"), [signers[2]])).toEqual({ refusal: "no_secret_configured" })
  })
})
