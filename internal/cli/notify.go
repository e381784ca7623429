package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/notify"
)

// newNotifyCmd manages notification channels: add, list, test.
func newNotifyCmd(s Streams) *cobra.Command {
	cmd := &cobra.Command{Use: "notify", Short: "Notification channels (Slack, Teams, email, PagerDuty, webhook)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	channels := &cobra.Command{Use: "channels", Short: "Add, list and test notification channels", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() }}
	channels.AddCommand(newNotifyAddCmd(s), newNotifyListCmd(s), newNotifyTestCmd(s))
	cmd.AddCommand(channels)
	return cmd
}

func newNotifyAddCmd(s Streams) *cobra.Command {
	var (
		in                        notify.ChannelInput
		contextName, output       string
		secretStdin               bool
		quiet, timezone, to       string
		window                    time.Duration
		urlFlag, channel, smtpURL string
	)
	cmd := &cobra.Command{
		Use:   "add NAME --kind slack_webhook|slack_bot|teams|email|pagerduty|webhook",
		Short: "Add a channel; its secret (webhook URL, bot token, SMTP password, routing key) is read from stdin with --secret-stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			in.Name = args[0]
			secret := ""
			if secretStdin {
				b, err := io.ReadAll(io.LimitReader(cmd.InOrStdin(), 64<<10))
				if err != nil {
					return err
				}
				secret = strings.TrimSpace(string(b))
			}
			if err := fillChannel(&in, secret, urlFlag, channel, smtpURL, to, quiet, timezone, window); err != nil {
				return withExitCode(ExitUsage, err)
			}
			return withClient(cmd.Context(), contextName, func(c *apiclient.Client) error {
				var out notify.CreatedChannel
				if err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/notifications/channels", in, &out); err != nil {
					return err
				}
				return printValue(s.Out, output, out, func(tw *tabwriter.Writer) {
					fmt.Fprintf(tw, "channel %s (%s) added\n", out.ID, out.Kind)
					if out.SigningSecret != "" {
						fmt.Fprintf(tw, "signing secret (shown only once): %s\n", out.SigningSecret)
					}
				})
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Kind, "kind", "", "slack_webhook, slack_bot, teams, email, pagerduty or webhook")
	f.StringVar(&in.OrganizationID, "organization", "", "organization id (default: your only or default one)")
	f.BoolVar(&secretStdin, "secret-stdin", false, "read the secret part from stdin: the Slack or Teams webhook URL, the bot token, the SMTP password or the PagerDuty routing key")
	f.StringVar(&urlFlag, "url", "", "webhook: the receiver's URL; slack_bot, pagerduty: the API's base URL (default the provider's)")
	f.StringVar(&channel, "channel", "", "slack_bot: the channel to post to")
	f.StringVar(&smtpURL, "smtp", "", "email: smtp://user@host:port of the server")
	f.StringVar(&in.Config.From, "from", "", "email: the sender address")
	f.StringVar(&to, "to", "", "email: recipients, comma-separated")
	f.StringVar(&in.Config.TLS, "tls", "", "email: starttls (default), tls or none")
	f.StringVar(&quiet, "quiet-hours", "", "hold non-critical messages then, e.g. 22:00-07:00 (sent as one digest afterwards)")
	f.StringVar(&timezone, "timezone", "", "time zone of --quiet-hours, e.g. Europe/Berlin (default UTC)")
	f.DurationVar(&window, "group-window", 0, "events of one kind and scope within this window are one message (default 1m)")
	f.StringVar(&contextName, "context", "", "the context to use (default: current)")
	outputFlag(cmd, &output, "table", "json", "yaml")
	return cmd
}

// fillChannel puts the flags where the kind takes them.
func fillChannel(in *notify.ChannelInput, secret, urlFlag, channel, smtpURL, to, quiet, tz string, window time.Duration) error {
	switch in.Kind {
	case notify.KindSlackWebhook, notify.KindTeams:
		in.Secret.URL = secret
	case notify.KindSlackBot:
		in.Secret.Token, in.Config.Channel, in.Config.BaseURL = secret, channel, urlFlag
	case notify.KindPagerDuty:
		in.Secret.RoutingKey, in.Config.BaseURL = secret, urlFlag
	case notify.KindWebhook:
		in.Config.URL = urlFlag
	case notify.KindEmail:
		in.Secret.Password = secret
		if smtpURL != "" {
			u, err := url.Parse(smtpURL)
			if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
				return fmt.Errorf("--smtp %q is not smtp://[user@]host[:port]", smtpURL)
			}
			in.Config.Host, in.Config.Username = u.Hostname(), u.User.Username()
			if p := u.Port(); p != "" {
				if _, err := fmt.Sscan(p, &in.Config.Port); err != nil {
					return fmt.Errorf("--smtp port %q is not a number", p)
				}
			}
		}
		if to != "" {
			in.Config.To = strings.Split(to, ",")
		}
	case "":
		return errors.New("--kind is required")
	}
	if quiet != "" {
		start, end, ok := strings.Cut(quiet, "-")
		if !ok {
			return fmt.Errorf("--quiet-hours %q is not START-END like 22:00-07:00", quiet)
		}
		in.QuietHours = &notify.QuietSpec{Start: start, End: end, Timezone: tz}
	}
	if window > 0 {
		secs := int(window / time.Second)
		in.GroupWindowSeconds = &secs
	}
	return nil
}

func newNotifyListCmd(s Streams) *cobra.Command {
	var contextName, output string
	cmd := &cobra.Command{
		Use: "list", Short: "List notification channels (never their secrets)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(output, "table", "json", "yaml"); err != nil {
				return err
			}
			return withClient(cmd.Context(), contextName, func(c *apiclient.Client) error {
				var l httpapi.ChannelList
				if err := c.Do(cmd.Context(), http.MethodGet, "/api/v1/notifications/channels", nil, &l); err != nil {
					return err
				}
				return printValue(s.Out, output, l, func(tw *tabwriter.Writer) {
					fmt.Fprintln(tw, "ID\tNAME\tKIND\tQUIET HOURS\tWINDOW")
					for _, ch := range l.Items {
						q := "-"
						if ch.QuietHours != nil {
							q = ch.QuietHours.Start + "-" + ch.QuietHours.End
						}
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%ds\n", ch.ID, ch.Name, ch.Kind, q, ch.GroupWindowSeconds)
					}
				})
			})
		},
	}
	cmd.Flags().StringVar(&contextName, "context", "", "the context to use (default: current)")
	outputFlag(cmd, &output, "table", "json", "yaml")
	return cmd
}

func newNotifyTestCmd(s Streams) *cobra.Command {
	var contextName string
	cmd := &cobra.Command{
		Use: "test ID", Short: "Send a test message through a channel now", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withClient(cmd.Context(), contextName, func(c *apiclient.Client) error {
				var res notify.TestResult
				if err := c.Do(cmd.Context(), http.MethodPost, "/api/v1/notifications/channels/"+url.PathEscape(args[0])+"/test", nil, &res); err != nil {
					return err
				}
				if !res.Delivered {
					return fmt.Errorf("not delivered: %s", res.Error)
				}
				fmt.Fprintf(s.Out, "test message delivered through %s\n", args[0])
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&contextName, "context", "", "the context to use (default: current)")
	return cmd
}
